/**
 * The image-config fields a differential build compares, normalized so that
 * spellings with the same meaning compare equal (null, missing, "", [] and
 * {} are all "unset"; zero healthcheck durations are "default"), and a
 * readable field-by-field diff.
 */
import type { ImageConfig } from '../../src/image/manifest.js';

/** What `docker run` and later builds see of an image config. */
export interface ComparedConfig {
  os?: string;
  architecture?: string;
  variant?: string;
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  ExposedPorts?: string[];
  Volumes?: string[];
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: Record<string, unknown>;
  Shell?: string[];
  OnBuild?: string[];
}

export const COMPARED_FIELDS: (keyof ComparedConfig)[] = [
  'os',
  'architecture',
  'variant',
  'User',
  'Env',
  'Entrypoint',
  'Cmd',
  'WorkingDir',
  'ExposedPorts',
  'Volumes',
  'Labels',
  'StopSignal',
  'Healthcheck',
  'Shell',
  'OnBuild',
];

function unset(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** The compared fields of a raw image config (OCI or Docker), normalized. */
export function comparedConfig(raw: ImageConfig): ComparedConfig {
  const c = raw.config ?? {};
  const out: ComparedConfig = {};
  const set = <K extends keyof ComparedConfig>(k: K, v: ComparedConfig[K] | null | undefined) => {
    if (!unset(v)) out[k] = v as ComparedConfig[K];
  };
  set('os', raw.os);
  set('architecture', raw.architecture);
  set('variant', raw.variant);
  set('User', c.User);
  set('Env', c.Env);
  set('Entrypoint', c.Entrypoint);
  set('Cmd', c.Cmd);
  set('WorkingDir', c.WorkingDir);
  set('ExposedPorts', c.ExposedPorts ? Object.keys(c.ExposedPorts).sort() : undefined);
  set('Volumes', c.Volumes ? Object.keys(c.Volumes).sort() : undefined);
  set('Labels', c.Labels);
  set('StopSignal', c.StopSignal);
  if (c.Healthcheck) {
    const h: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.Healthcheck)) if (!unset(v) && v !== 0) h[k] = v;
    set('Healthcheck', h);
  }
  set('Shell', c.Shell);
  set('OnBuild', c.OnBuild);
  return out;
}

/** JSON with object keys sorted: equal for equal values whatever their key order or realm. */
export function canonicalJson(v: unknown): string | undefined {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : x,
  );
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** One line per differing field; empty when equal. */
export function compareConfigs(
  expected: ComparedConfig,
  actual: ComparedConfig,
  names: { expected: string; actual: string } = { expected: 'expected', actual: 'actual' },
): string[] {
  const out: string[] = [];
  for (const k of COMPARED_FIELDS) {
    const a = expected[k];
    const b = actual[k];
    if (sameValue(a, b)) continue;
    out.push(
      `config ${k}: ${names.expected} ${JSON.stringify(a) ?? 'unset'} ≠ ${names.actual} ${JSON.stringify(b) ?? 'unset'}`,
    );
  }
  return out;
}
