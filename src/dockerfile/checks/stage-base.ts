/**
 * What each stage is built on, for the checks: an earlier stage, scratch, or
 * an image (expanded against the global ARGs, with the FROM --platform it
 * asks for). Unlike planStages this covers every stage, needed or not, and
 * never throws: whatever cannot be resolved the build itself reports.
 */
import type { ParsedDockerfile, Stage } from '../dockerfile.js';
import { type PlatformSpec, parsePlatform } from '../platform.js';
import { ShellLex } from '../shell-lex.js';

export interface StageBase {
  stage?: Stage;
  /** The image reference, expanded (undefined for scratch and stages). */
  image?: string;
  /** FROM --platform, expanded and parsed. */
  platform?: PlatformSpec;
}

export function stageBase(
  df: ParsedDockerfile,
  stage: Stage,
  globalArgs: ReadonlyMap<string, string>,
): StageBase {
  const lex = new ShellLex(df.escapeToken);
  let platform: PlatformSpec | undefined;
  if (stage.from.platform !== undefined) {
    try {
      platform = parsePlatform(lex.processWord(stage.from.platform, globalArgs));
    } catch {
      platform = undefined;
    }
  }
  let name = stage.from.image;
  try {
    name = lex.processWord(stage.from.image, globalArgs);
  } catch {
    // Left as written.
  }
  const lower = name.toLowerCase();
  for (let i = stage.index - 1; i >= 0; i--) {
    if (df.stages[i]!.name === lower) return { stage: df.stages[i]! };
  }
  if (name === 'scratch') return {};
  return platform ? { image: name, platform } : { image: name };
}
