/**
 * Which checks run and what they found: BuildKit's `# check=` options
 * (`skip=Rule1,Rule2|all`, `error=true|false`, `experimental=Rule|all`,
 * separated by `;`), the BUILDKIT_DOCKERFILE_CHECK build arg that replaces
 * them, and the same options in a comment right above an instruction
 * (dockerfile 1.21), which apply to that instruction only.
 */
import { DockerfileError, type Location } from '../errors.js';
import type { CheckRule } from './rules.js';

export interface CheckConfig {
  skipAll: boolean;
  skip: ReadonlySet<string>;
  experimentalAll: boolean;
  experimental: ReadonlySet<string>;
  /** `error=true`: findings fail the build. */
  error: boolean;
}

export const DEFAULT_CHECK_CONFIG: CheckConfig = {
  skipAll: false,
  skip: new Set(),
  experimentalAll: false,
  experimental: new Set(),
  error: false,
};

export class CheckOptionError extends Error {
  override name = 'CheckOptionError';
}

const list = (v: string) => v.split(',').map((r) => r.trim());

/** BuildKit's ParseLintOptions. Throws CheckOptionError. */
export function parseCheckOptions(text: string): CheckConfig {
  const t = text.trim();
  if (t === '') return DEFAULT_CHECK_CONFIG;
  const out = { ...DEFAULT_CHECK_CONFIG };
  // Go's strings.SplitN(s, ";", 3): a third part keeps any further ';'.
  const parts = t.split(';');
  const limited = parts.length > 3 ? [...parts.slice(0, 2), parts.slice(2).join(';')] : parts;
  for (const p of limited) {
    const eq = p.indexOf('=');
    if (eq < 0) throw new CheckOptionError(`invalid check option ${JSON.stringify(p)}`);
    const k = p.slice(0, eq).trim();
    const v = p.slice(eq + 1).trim();
    switch (k) {
      case 'skip':
        if (v === 'all') out.skipAll = true;
        else out.skip = new Set(list(v));
        break;
      case 'experimental':
        if (v === 'all') out.experimentalAll = true;
        else out.experimental = new Set(list(v));
        break;
      case 'error': {
        const b = parseGoBool(v);
        if (b === undefined) {
          throw new CheckOptionError(
            `failed to parse check option ${JSON.stringify(p)}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`,
          );
        }
        out.error = b;
        break;
      }
      default:
        throw new CheckOptionError(`invalid check option ${JSON.stringify(k)}`);
    }
  }
  return out;
}

function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** `other` added onto `base` (skips and experimental rules add up; error is kept from base). */
function mergeConfig(base: CheckConfig, other: CheckConfig): CheckConfig {
  return {
    skipAll: base.skipAll || other.skipAll,
    skip: new Set([...base.skip, ...other.skip]),
    experimentalAll: base.experimentalAll || other.experimentalAll,
    experimental: new Set([...base.experimental, ...other.experimental]),
    error: base.error,
  };
}

/** `check=…` in a comment (the text after `#`): the options, or undefined when the comment is none. */
function checkComment(comment: string): string | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(comment.trimStart());
  if (!m || m[1]!.toLowerCase() !== 'check') return undefined;
  return m[2]!.split(' ')[0];
}

export interface CheckFinding {
  rule: string;
  description: string;
  url?: string;
  message: string;
  location: Location;
}

/** Collects findings; a view made for one instruction's comments shares them. */
export class Linter {
  constructor(
    private readonly config: CheckConfig,
    /** Dockerfile syntax 1.N in use: rules newer than it do not run. */
    private readonly syntaxMinor: number | undefined,
    private readonly findings: CheckFinding[] = [],
    /** Per-instruction `# check=` comments are honoured (dockerfile 1.21). */
    private readonly comments = true,
  ) {}

  run(rule: CheckRule, location: Location, message: string): void {
    if (this.syntaxMinor !== undefined && this.syntaxMinor < rule.since) return;
    const c = this.config;
    if (rule.experimental) {
      if (!c.experimentalAll && !c.experimental.has(rule.name)) return;
    } else if (c.skipAll || c.skip.has(rule.name)) return;
    this.findings.push({
      rule: rule.name,
      description: rule.description,
      ...(rule.url ? { url: rule.url } : {}),
      message,
      location,
    });
  }

  /** The linter for one instruction: the first `# check=` comment above it adds its options (invalid ones are ignored). */
  withComments(comments: readonly string[]): Linter {
    if (!this.comments) return this;
    for (const comment of comments) {
      const text = checkComment(comment);
      if (text === undefined) continue;
      try {
        return new Linter(mergeConfig(this.config, parseCheckOptions(text)), this.syntaxMinor, this.findings);
      } catch {
        return this;
      }
    }
    return this;
  }

  /** Findings sorted by line, then message (BuildKit reports them in this order). */
  results(): CheckFinding[] {
    return [...this.findings].sort(
      (a, b) =>
        a.location.startLine - b.location.startLine ||
        (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
    );
  }

  /** With `error=true` and findings: the build's error (BuildKit's "lint violation found for rules: …"). */
  error(): DockerfileError | undefined {
    if (!this.config.error || this.findings.length === 0) return undefined;
    const first = this.results()[0]!;
    const rules = [...new Set(this.findings.map((f) => f.rule))].sort();
    return DockerfileError.at(
      first.location,
      `lint violation found for rules: ${rules.join(', ')} (the # check= directive sets error=true)`,
    );
  }
}
