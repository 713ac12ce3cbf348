/**
 * .dockerignore: which context files a build sees. Like buildx/BuildKit,
 * `<Dockerfile>.dockerignore` next to the Dockerfile wins over
 * `<context>/.dockerignore`. Lines are read like moby's dockerignore.ReadAll:
 * `#` in the first column starts a comment, blank lines are skipped, each
 * pattern is trimmed and cleaned (`..` and `.` resolved, a leading `/`
 * dropped), `!` marks an exception.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DockerfileError } from './errors.js';
import { cleanPath, PatternError, PatternMatcher } from './pattern-matcher.js';

export interface IgnorePattern {
  /** Cleaned, `!` kept in front for exceptions. */
  pattern: string;
  line: number;
}

/** Parses .dockerignore text into cleaned patterns with their line numbers. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    let line = i === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.startsWith('#')) return;
    line = line.trim();
    if (line === '') return;
    const invert = line[0] === '!';
    let pattern = invert ? line.slice(1).trim() : line;
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern[0] === '/') pattern = pattern.slice(1);
    }
    out.push({ pattern: invert ? `!${pattern}` : pattern, line: i + 1 });
  });
  return out;
}

/** A matcher over context-relative, `/`-separated paths (`src/app.ts`, no leading `./`). */
export class IgnoreMatcher {
  private readonly matcher: PatternMatcher;

  /** `file` is used in error messages; patterns carry their line numbers. */
  constructor(
    readonly patterns: readonly IgnorePattern[],
    readonly file = '.dockerignore',
  ) {
    try {
      this.matcher = new PatternMatcher(patterns.map((p) => p.pattern));
    } catch (err) {
      if (err instanceof PatternError)
        throw new DockerfileError(file, patterns[err.index]?.line, err.message);
      throw err;
    }
  }

  /** True when the path is excluded from the context. */
  matches(relPath: string): boolean {
    return this.matcher.matches(relPath);
  }

  /** True when a walker can skip the directory without looking inside (no exception can re-include anything). */
  canPruneDir(relDir: string): boolean {
    return this.matcher.canPruneDir(relDir);
  }

  /** One call for walkers: what to do with an entry. */
  decide(relPath: string, isDir: boolean): 'include' | 'exclude' | 'prune' {
    if (!this.matches(relPath)) return 'include';
    return isDir && this.canPruneDir(relPath) ? 'prune' : 'exclude';
  }

  get hasExceptions(): boolean {
    return this.matcher.hasExclusions;
  }
}

export interface Dockerignore {
  /** The file the patterns came from; undefined when there is none. */
  source?: string;
  matcher: IgnoreMatcher;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' ||
      (err as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      return undefined;
    }
    throw err;
  }
}

/**
 * Loads `<dockerfilePath>.dockerignore` if it exists, else
 * `<contextDir>/.dockerignore`, else an empty matcher.
 */
export async function loadDockerignore(contextDir: string, dockerfilePath: string): Promise<Dockerignore> {
  for (const file of [`${dockerfilePath}.dockerignore`, path.join(contextDir, '.dockerignore')]) {
    const text = await readIfExists(file);
    if (text !== undefined)
      return { source: file, matcher: new IgnoreMatcher(parseDockerignore(text), file) };
  }
  return { matcher: new IgnoreMatcher([]) };
}
