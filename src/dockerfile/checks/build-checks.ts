/**
 * The build checks of one build (or of `kiln check`): the base images'
 * configs are fetched (manifest and config only, through the caller's
 * memoized pull, so the build reuses them), the rules run, and the
 * findings are printed as warnings on their Dockerfile lines. A base that
 * cannot be pulled is checked without its config: the stage that needs it
 * reports the pull error itself.
 */

import type { ImageConfig, Platform } from '../../image/manifest.js';
import { normalizePlatform } from '../../image/platform.js';
import type { Logger } from '../../log.js';
import type { ParsedDockerfile } from '../dockerfile.js';
import {
  type BaseImageInfo,
  type CheckOptions,
  type CheckReport,
  checkGlobalArgs,
  formatFinding,
  runChecks,
  stageBase,
} from './index.js';

export interface BuildCheckInput extends Omit<CheckOptions, 'baseImages'> {
  /** Fetches a base image (its config is what the checks read). */
  pull(ref: string, platform: Platform): Promise<{ readonly config: Readonly<ImageConfig> }>;
}

async function baseImages(df: ParsedDockerfile, input: BuildCheckInput): Promise<Map<number, BaseImageInfo>> {
  const out = new Map<number, BaseImageInfo>();
  const globals = checkGlobalArgs(df, input);
  if (!globals) return out;
  const indexes = input.stages ?? df.stages.map((s) => s.index);
  await Promise.all(
    indexes.map(async (index) => {
      const base = stageBase(df, df.stages[index]!, globals);
      if (!base.image) return;
      const platform = normalizePlatform(base.platform ?? input.targetPlatform);
      let image: { readonly config: Readonly<ImageConfig> };
      try {
        image = await input.pull(base.image, platform);
      } catch {
        return;
      }
      const c = image.config;
      out.set(index, {
        env: c.config?.Env ?? [],
        ...(c.config?.Shell ? { shell: c.config.Shell } : {}),
        ...(c.config?.OnBuild ? { onBuild: c.config.OnBuild } : {}),
        platform: { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) },
      });
    }),
  );
  return out;
}

export async function checkDockerfile(df: ParsedDockerfile, input: BuildCheckInput): Promise<CheckReport> {
  const { pull: _pull, ...opts } = input;
  return runChecks(df, { ...opts, baseImages: await baseImages(df, input) });
}

/** Each finding as a warning on its line (an annotation in the action). */
export function reportFindings(report: CheckReport, log: Logger): void {
  for (const f of report.findings) {
    const at = {
      file: f.location.file,
      line: f.location.startLine,
      endLine: f.location.endLine,
      title: f.rule,
    };
    if (log.warnAt) log.warnAt(`${f.rule}: ${f.message}${f.url ? ` (${f.url})` : ''}`, at);
    else log.warn(formatFinding(f));
  }
}
