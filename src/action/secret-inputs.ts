/**
 * The secret and SSH inputs, under docker/build-push-action's names:
 *
 *   secrets       id=value per line; an item in double quotes may span lines
 *                 ("id=line1↵line2", or id="…"), "" is a quote inside quotes
 *   secret-files  id=path per line (relative to the workspace)
 *   secret-envs   id=VARIABLE per line
 *   ssh           default | id=/socket | id=/key[,/key…] per line
 *   allow         entitlements, comma- or newline-separated
 *
 * A problem names the input and the line, never the value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENTITLEMENTS, type Entitlement, type SecretSource, type SshSource } from '../executor/options.js';
import type { Problems } from './input-error.js';

/** Items of a list input: newline-separated, except inside double quotes; quotes removed. */
export function quotedItems(text: string): string[] {
  const items: string[] = [];
  let item = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      if (quoted && text[i + 1] === '"') {
        item += '"';
        i++;
      } else quoted = !quoted;
      continue;
    }
    if (!quoted && (ch === '\n' || ch === '\r')) {
      if (item.trim()) items.push(item.trim());
      item = '';
      continue;
    }
    item += ch;
  }
  if (item.trim()) items.push(item.trim());
  return items;
}

function idOf(
  item: string,
  n: number,
  input: string,
  problems: Problems,
): { id: string; rest: string } | undefined {
  const eq = item.indexOf('=');
  const id = eq < 0 ? '' : item.slice(0, eq).trim();
  if (!id || /[\s,]/.test(id)) {
    problems.add(
      input,
      `item ${n}: expected id=${input === 'secrets' ? 'value' : input === 'secret-files' ? 'path' : 'VARIABLE'}`,
    );
    return undefined;
  }
  return { id, rest: item.slice(eq + 1) };
}

export function secretInputs(
  text: { secrets: string; files: string; envs: string },
  workspace: string,
  problems: Problems,
): SecretSource[] {
  const out = new Map<string, SecretSource>();
  quotedItems(text.secrets).forEach((item, i) => {
    const kv = idOf(item, i + 1, 'secrets', problems);
    if (kv) out.set(kv.id, { id: kv.id, value: kv.rest });
  });
  quotedItems(text.files).forEach((item, i) => {
    const kv = idOf(item, i + 1, 'secret-files', problems);
    if (!kv) return;
    if (!kv.rest.trim()) problems.add('secret-files', `${kv.id}: the path is empty`);
    else out.set(kv.id, { id: kv.id, file: path.resolve(workspace, kv.rest.trim()) });
  });
  quotedItems(text.envs).forEach((item, i) => {
    const kv = idOf(item, i + 1, 'secret-envs', problems);
    if (!kv) return;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(kv.rest.trim()))
      problems.add('secret-envs', `${kv.id}: "${kv.rest.trim()}" is not an environment variable name`);
    else out.set(kv.id, { id: kv.id, env: kv.rest.trim() });
  });
  return [...out.values()];
}

export function sshInput(text: string, workspace: string, problems: Problems): SshSource[] {
  const out: SshSource[] = [];
  for (const line of quotedItems(text)) {
    const eq = line.indexOf('=');
    const id = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!id || /[\s,]/.test(id)) {
      problems.add('ssh', `"${line}": expected default, or id=/path/to/socket, or id=/path/to/key[,key…]`);
      continue;
    }
    if (out.some((s) => s.id === id)) {
      problems.add('ssh', `${id} is given twice`);
      continue;
    }
    const paths =
      eq < 0
        ? []
        : line
            .slice(eq + 1)
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean)
            .map((p) => path.resolve(workspace, p));
    out.push({ id, paths });
  }
  return out;
}

/**
 * Registers every secret's value with `mask` (the runner hides it in the
 * log): values as given, the content of secret files, the variables named.
 * Unreadable files are skipped (the build reports them).
 */
export function maskSecrets(
  sources: readonly SecretSource[],
  mask: (value: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const s of sources) {
    let value: string | undefined;
    if (s.value !== undefined) value = s.value;
    else if (s.env !== undefined) value = env[s.env];
    else if (s.file !== undefined) {
      try {
        value = readFileSync(s.file, 'utf8');
      } catch {
        value = undefined;
      }
    }
    if (value) mask(value);
  }
}

/** The values of the `secrets` input, masked before the inputs are even checked. */
export function maskSecretsInput(text: string, mask: (value: string) => void): void {
  for (const item of quotedItems(text)) {
    const eq = item.indexOf('=');
    mask(eq < 0 ? item : item.slice(eq + 1));
  }
}

export function allowInput(text: string, problems: Problems): Entitlement[] {
  const out: Entitlement[] = [];
  for (const item of text
    .split(/[\r\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    if ((ENTITLEMENTS as readonly string[]).includes(item)) {
      if (!out.includes(item as Entitlement)) out.push(item as Entitlement);
    } else problems.add('allow', `"${item}" is not one of ${ENTITLEMENTS.join(', ')}`);
  }
  return out;
}
