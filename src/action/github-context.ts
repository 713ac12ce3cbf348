/**
 * GithubContext: what the action knows about the workflow run, built once
 * from the variables the runner sets (and the event payload it points to).
 * githubContextFromEnv() is the one place in the action that reads the
 * environment; everything else takes a GithubContext.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export type RefType = 'branch' | 'tag' | 'pull' | 'other';

export interface GithubContext {
  /** GITHUB_SHA: the commit the run is for; on pull_request events the test merge commit. */
  sha: string;
  /**
   * The PR head commit (from the event payload) when GITHUB_REF is a
   * refs/pull/N/merge ref, i.e. when GITHUB_SHA is GitHub's test merge commit.
   * Undefined otherwise (pull_request_target runs on the base branch's commit).
   */
  pullRequestHeadSha?: string;
  /** GITHUB_REF, e.g. refs/heads/main, refs/tags/v1.2.3, refs/pull/7/merge. */
  ref: string;
  /** GITHUB_REF_NAME, e.g. main, v1.2.3, 7/merge. */
  refName: string;
  /** From GITHUB_REF_TYPE, or derived from GITHUB_REF. */
  refType: RefType;
  /** GITHUB_HEAD_REF / GITHUB_BASE_REF: set on pull_request events only. */
  headRef?: string;
  baseRef?: string;
  eventName: string;
  /** owner/name as GitHub spells it (may hold uppercase). */
  repository: string;
  repositoryOwner: string;
  actor: string;
  /** https://github.com, or the GitHub Enterprise Server URL. */
  serverUrl: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  workflow: string;
  job: string;
  /** GITHUB_WORKSPACE: relative input paths resolve against it. */
  workspace: string;
  /** RUNNER_TEMP: the runner's per-job temp dir (credentials, caches); falls back to the OS temp dir. */
  runnerTemp: string;
  /** RUNNER_TOOL_CACHE: kept between jobs on self-hosted runners (the snapshot store lives there). */
  runnerToolCache?: string;
  /** Commit time from the event payload (push events), RFC 3339, if known. */
  commitTimestamp?: string;
  /** SOURCE_DATE_EPOCH in seconds, when set to a valid integer. */
  sourceDateEpoch?: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ContextSources {
  /** Reads the event payload at GITHUB_EVENT_PATH; default: fs.readFileSync. */
  readFile?: (file: string) => string;
  /** Fallback for GITHUB_WORKSPACE; default: process.cwd(). */
  cwd?: string;
  /** Fallback for RUNNER_TEMP; default: os.tmpdir(). */
  tmpdir?: string;
}

function refTypeOf(ref: string, declared: string | undefined): RefType {
  if (declared === 'branch' || declared === 'tag') {
    // The runner sets GITHUB_REF_TYPE=branch on pull requests too.
    return ref.startsWith('refs/pull/') ? 'pull' : declared;
  }
  if (ref.startsWith('refs/heads/')) return 'branch';
  if (ref.startsWith('refs/tags/')) return 'tag';
  if (ref.startsWith('refs/pull/')) return 'pull';
  return 'other';
}

function refNameOf(ref: string): string {
  for (const prefix of ['refs/heads/', 'refs/tags/', 'refs/pull/']) {
    if (ref.startsWith(prefix)) return ref.slice(prefix.length);
  }
  return ref;
}

interface EventPayload {
  pull_request?: { head?: { sha?: unknown } };
  head_commit?: { timestamp?: unknown } | null;
}

function readEvent(file: string | undefined, readFile: (f: string) => string): EventPayload {
  if (!file) return {};
  try {
    const parsed: unknown = JSON.parse(readFile(file));
    return parsed && typeof parsed === 'object' ? (parsed as EventPayload) : {};
  } catch {
    // A missing or unreadable payload only costs the PR head SHA and the commit time.
    return {};
  }
}

/** Builds the context from the runner's environment (pass process.env). */
export function githubContextFromEnv(env: Env, sources: ContextSources = {}): GithubContext {
  const ref = env.GITHUB_REF ?? '';
  const event = readEvent(env.GITHUB_EVENT_PATH, sources.readFile ?? ((f) => readFileSync(f, 'utf8')));
  const headSha = ref.startsWith('refs/pull/') ? event.pull_request?.head?.sha : undefined;
  const timestamp = event.head_commit?.timestamp;
  const repository = env.GITHUB_REPOSITORY ?? '';
  const epochText = env.SOURCE_DATE_EPOCH?.trim();
  return {
    sha: (env.GITHUB_SHA ?? '').toLowerCase(),
    pullRequestHeadSha: typeof headSha === 'string' && headSha ? headSha.toLowerCase() : undefined,
    ref,
    refName: env.GITHUB_REF_NAME || refNameOf(ref),
    refType: refTypeOf(ref, env.GITHUB_REF_TYPE),
    headRef: env.GITHUB_HEAD_REF || undefined,
    baseRef: env.GITHUB_BASE_REF || undefined,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    repository,
    repositoryOwner: env.GITHUB_REPOSITORY_OWNER || repository.split('/')[0] || '',
    actor: env.GITHUB_ACTOR ?? '',
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    runId: env.GITHUB_RUN_ID ?? '',
    runNumber: env.GITHUB_RUN_NUMBER ?? '',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    workspace: env.GITHUB_WORKSPACE || sources.cwd || process.cwd(),
    runnerTemp: env.RUNNER_TEMP || sources.tmpdir || os.tmpdir(),
    runnerToolCache: env.RUNNER_TOOL_CACHE || undefined,
    commitTimestamp: typeof timestamp === 'string' && timestamp ? timestamp : undefined,
    sourceDateEpoch: epochText && /^\d+$/.test(epochText) ? Number(epochText) : undefined,
  };
}

/** The commit an image built by this run is named after (see tags.ts). */
export function buildSha(github: GithubContext): string {
  return github.pullRequestHeadSha ?? github.sha;
}
