/**
 * OCI annotations as image labels, from the GitHub context (the set
 * docker/metadata-action writes): source, url, revision, title, created.
 * The `labels` input overrides any of them; `key=` (empty value) drops one.
 */
import { buildSha, type GithubContext } from './github-context.js';

export const OCI = {
  source: 'org.opencontainers.image.source',
  url: 'org.opencontainers.image.url',
  revision: 'org.opencontainers.image.revision',
  title: 'org.opencontainers.image.title',
  created: 'org.opencontainers.image.created',
} as const;

/** RFC 3339 in UTC with second precision, e.g. 2025-01-02T03:04:05Z. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The creation time: SOURCE_DATE_EPOCH when set (reproducible builds); else,
 * for reproducible builds, the commit's time when the event payload has it
 * (and no label at all when it does not, so the digest stays stable); else now.
 */
export function createdTime(github: GithubContext, now: Date, reproducible: boolean): string | undefined {
  if (github.sourceDateEpoch !== undefined) return rfc3339(new Date(github.sourceDateEpoch * 1000));
  if (!reproducible) return rfc3339(now);
  if (github.commitTimestamp) {
    const t = new Date(github.commitTimestamp);
    if (!Number.isNaN(t.getTime())) return rfc3339(t);
  }
  return undefined;
}

/** The labels the action adds by default; a field the context lacks is left out. */
export function defaultLabels(github: GithubContext, created: string | undefined): Map<string, string> {
  const labels = new Map<string, string>();
  if (github.repository.includes('/')) {
    const url = `${github.serverUrl}/${github.repository}`;
    labels.set(OCI.source, url);
    labels.set(OCI.url, url);
    labels.set(OCI.title, github.repository.split('/')[1]!);
  }
  const sha = buildSha(github);
  if (sha) labels.set(OCI.revision, sha);
  if (created) labels.set(OCI.created, created);
  return labels;
}

/** Defaults, then the user's labels on top; an empty user value removes the label. */
export function mergeLabels(
  defaults: ReadonlyMap<string, string>,
  user: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map(defaults);
  for (const [k, v] of user) {
    if (v === '') out.delete(k);
    else out.set(k, v);
  }
  return out;
}
