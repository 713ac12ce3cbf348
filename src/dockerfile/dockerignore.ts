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
import {
  cleanPath,
  type DirState,
  type EntryDecision,
  PatternError,
  PatternMatcher,
} from './pattern-matcher.js';

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

  /** What to do with an entry: include it, exclude it, or (a directory no exception reaches into) skip it whole. */
  decide(relPath: string, isDir: boolean): 'include' | 'exclude' | 'prune' {
    const slash = relPath.lastIndexOf('/');
    const parent = this.stateOf(slash < 0 ? '' : relPath.slice(0, slash));
    const d = this.entry(parent, relPath.slice(slash + 1), isDir);
    return d.prune ? 'prune' : d.excluded ? 'exclude' : 'include';
  }

  /** For walkers: the state of a directory (relative to the context; '' is the root), to decide its entries by name. */
  stateOf(relDir: string): DirState {
    return this.matcher.stateOf(relDir);
  }

  /** What a walker does with `name` in the directory of `parent` (the same answers as decide()). */
  entry(parent: DirState, name: string, isDir: boolean): EntryDecision {
    return this.matcher.entry(parent, name, isDir);
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
