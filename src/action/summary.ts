/**
 * The job summary as Markdown (main.ts writes it with core.summary): the
 * result in one line, a table of stages and steps (time, cache, layer size),
 * the references with the digest, and a `docker pull` line. Text from the
 * Dockerfile only ever lands inside code spans, escaped for GFM tables.
 */
import type { BuildResult, StepReport } from '../executor/result.js';
import { formatBytes, formatDuration } from './format.js';

export interface SummaryInput {
  result: BuildResult;
  /** Full references the image was built for (BuildOptions.destinations). */
  references: readonly string[];
  /** False with push: false. */
  push: boolean;
  /** How it was pushed: under its tags (default), by digest only, or as the index merged from digests. */
  mode?: 'tags' | 'by-digest' | 'merge';
}

const MAX_INSTRUCTION = 120;

/** A GFM inline code span holding `text` literally, safe inside a table cell. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function cacheCell(step: StepReport): string {
  switch (step.cache) {
    case 'hit':
      return 'hit';
    case 'miss':
      return step.cacheMissReason ? `miss (${step.cacheMissReason.replace(/\|/g, '/')})` : 'miss';
    case 'off':
      return 'off';
    case 'none':
      return '';
    default: {
      const never: never = step.cache;
      return String(never);
    }
  }
}

/** The layer cell: its size, marked when the layer is not part of the final image (a builder stage's). */
function layerCell(step: StepReport, final: ReadonlySet<string>): string {
  if (!step.layer) return '';
  const size = formatBytes(step.layer.size);
  return final.has(step.layer.digest) ? size : `${size} (not in the image)`;
}

function stepsTable(steps: readonly StepReport[], final: ReadonlySet<string>): string[] {
  if (steps.length === 0) return [];
  // Several platforms: each stage's platform in a column of its own.
  const platforms = steps.some((s) => s.platform !== undefined);
  const rows = platforms
    ? [
        '| Platform | Stage | Step | Instruction | Cache | Time | Layer |',
        '| --- | --- | ---: | --- | --- | ---: | ---: |',
      ]
    : ['| Stage | Step | Instruction | Cache | Time | Layer |', '| --- | ---: | --- | --- | ---: | ---: |'];
  let stage: string | undefined;
  for (const s of steps) {
    const key = `${s.platform ?? ''}\0${s.stage}`;
    const first = key !== stage;
    stage = key;
    const stageCell = first ? codeSpan(s.stage) : '';
    const platformCell = platforms ? `| ${first ? codeSpan(s.platform ?? '') : ''} ` : '';
    rows.push(
      `${platformCell}| ${stageCell} | ${s.step || ''} | ${codeSpan(truncate(s.instruction, MAX_INSTRUCTION))} | ${cacheCell(s)} | ${formatDuration(s.durationMs)} | ${layerCell(s, final)} |`,
    );
  }
  return rows;
}

/** Each platform's image of an index: platform, digest, layers, size. */
function platformsTable(platforms: NonNullable<BuildResult['platforms']>): string[] {
  const rows = ['| Platform | Digest | Layers | Size |', '| --- | --- | ---: | ---: |'];
  for (const p of platforms) {
    rows.push(`| ${codeSpan(p.platform)} | ${codeSpan(p.digest)} | ${p.layers} | ${formatBytes(p.size)} |`);
  }
  return rows;
}

export function renderSummary(input: SummaryInput): string {
  const { result, references, push } = input;
  const cacheable = result.steps.filter((s) => s.cache === 'hit' || s.cache === 'miss').length;
  const what = result.platforms ? `index of ${result.platforms.length} platforms` : 'image';
  const status =
    input.mode === 'merge'
      ? 'merged and pushed'
      : !push
        ? 'built (not pushed)'
        : !result.refreshed
          ? 'unchanged, not pushed again'
          : input.mode === 'by-digest'
            ? 'built and pushed by digest (untagged)'
            : 'built and pushed';
  const facts = [
    `${result.layers} layer${result.layers === 1 ? '' : 's'}, ${formatBytes(result.size)}`,
    cacheable > 0 ? `cache ${result.cacheHits}/${cacheable} hits` : undefined,
    `${formatDuration(result.durationMs)} total`,
  ].filter((f) => f !== undefined);

  const lines = [`## Kiln: ${what} ${status}`, '', facts.join(' · '), ''];
  if (result.platforms) lines.push(...platformsTable(result.platforms), '');
  lines.push(...stepsTable(result.steps, new Set(result.layerDigests)));
  if (result.steps.length > 0) lines.push('');
  const kept = result.unchanged;
  if (kept) {
    lines.push(
      `> The registry already held this image (skip_unchanged_digest): ${codeSpan(kept.reference)} has the same layers and config, apart from the revision and created labels and timestamps. Nothing was pushed.`,
      '',
      `**Digest:** ${codeSpan(kept.digest)} (this run built ${codeSpan(result.digest)})`,
      '',
      '```sh',
      `docker pull ${kept.reference}`,
      '```',
      '',
    );
    return lines.join('\n');
  }
  lines.push(`**Digest:** ${codeSpan(result.digest)}`, '');
  if (references.length > 0) {
    lines.push('**References:**', '', ...references.map((r) => `- ${codeSpan(r)}`), '');
  }
  if (push && references[0]) {
    lines.push('```sh', `docker pull ${references[0]}`, '```', '');
  }
  return lines.join('\n');
}
