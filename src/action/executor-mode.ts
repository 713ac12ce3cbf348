/**
 * Executor mode: the same bundle (dist/index.js), started as root by
 * privileged-build.ts with `--kiln-executor <request.json>`, runs build()
 * and nothing else. It reads no inputs and no runner variables: the request
 * holds the BuildOptions (see options-codec.ts), the log level, where to
 * write the response, and the invoking user, who gets ownership of the
 * outputs the build wrote (OCI layout, tarball, digest files, cache dir).
 */
import { lchown, lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { build } from '../executor/build.js';
import type { BuildOptions } from '../executor/options.js';
import type { BuildResult } from '../executor/result.js';
import { Interrupts } from '../interrupt.js';
import { actionLogger } from './action-logger.js';
import { assertBuildOptions, decodeJson, encodeJson } from './options-codec.js';

/** The argument that switches the bundle into executor mode. */
export const EXECUTOR_FLAG = '--kiln-executor';

export interface Owner {
  uid: number;
  gid: number;
}

export interface ExecutorRequest {
  options: BuildOptions;
  verbose: boolean;
  /** Where the executor writes its ExecutorResponse (JSON). */
  responsePath: string;
  /** The user the outputs are handed to. */
  owner: Owner;
  /** Paths (files or directory trees) to hand to `owner` when the build ends. */
  chown: string[];
}

/** What an error carries across the process boundary: enough for errorAnnotation(). */
export interface SerializedError {
  name: string;
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  status?: number;
  method?: string;
  url?: string;
  codes?: string[];
  hint?: string;
}

export type ExecutorResponse = { ok: true; result: BuildResult } | { ok: false; error: SerializedError };

/** The request path when argv asks for executor mode (`node index.js --kiln-executor FILE`). */
export function executorRequestFromArgv(argv: readonly string[]): string | undefined {
  const i = argv.indexOf(EXECUTOR_FLAG);
  if (i < 0) return undefined;
  const file = argv[i + 1];
  if (!file) throw new Error(`${EXECUTOR_FLAG} needs the request file`);
  return file;
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & Record<string, unknown>;
  const out: SerializedError = { name: e.name, message: e.message };
  if (typeof e.file === 'string') out.file = e.file;
  for (const k of ['line', 'endLine', 'status'] as const) if (typeof e[k] === 'number') out[k] = e[k];
  for (const k of ['method', 'url', 'hint'] as const) if (typeof e[k] === 'string') out[k] = e[k];
  // RegistryError holds {code, message} objects; bare strings pass as they are.
  if (Array.isArray(e.codes)) out.codes = e.codes.map((c) => (typeof c === 'string' ? c : String(c?.code)));
  return out;
}

/** An Error with the serialized fields, so errorAnnotation() treats it like the original. */
export function deserializeError(s: SerializedError): Error {
  const err = new Error(s.message);
  err.name = s.name;
  const { name: _n, message: _m, ...fields } = s;
  return Object.assign(err, fields);
}

export function encodeRequest(r: ExecutorRequest): string {
  return encodeJson(r);
}

export function decodeRequest(text: string): ExecutorRequest {
  const r = decodeJson(text) as Partial<ExecutorRequest> | null;
  if (typeof r !== 'object' || r === null) throw new Error('executor request: not an object');
  if (typeof r.responsePath !== 'string' || !path.isAbsolute(r.responsePath)) {
    throw new Error('executor request: responsePath must be an absolute path');
  }
  const owner = r.owner;
  if (!owner || !Number.isInteger(owner.uid) || !Number.isInteger(owner.gid)) {
    throw new Error('executor request: owner needs a uid and a gid');
  }
  if (!Array.isArray(r.chown) || !r.chown.every((p) => typeof p === 'string' && path.isAbsolute(p))) {
    throw new Error('executor request: chown must list absolute paths');
  }
  return {
    options: assertBuildOptions(r.options),
    verbose: r.verbose === true,
    responsePath: r.responsePath,
    owner,
    chown: r.chown,
  };
}

/**
 * Hands what root created under `target` to `owner`: entries owned by uid 0
 * are lchown'ed (links are never followed), others are left alone. `keep`:
 * directories left as they are (cache mounts: their owners are the image's).
 */
export async function chownTree(target: string, owner: Owner, keep: readonly string[] = []): Promise<void> {
  if (keep.includes(target)) return;
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (st.uid === 0) await lchown(target, owner.uid, owner.gid);
  if (st.isDirectory()) {
    for (const name of await readdir(target)) await chownTree(path.join(target, name), owner, keep);
  }
}

/** The output paths of a build that a root executor would create, for chownTree(). */
export function outputPaths(o: BuildOptions): string[] {
  return [
    o.ociLayoutPath,
    o.tarPath,
    o.digestFile,
    o.imageNameWithDigestFile,
    o.cache.dir,
    o.cacheMounts.archive,
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
}

/** Executor mode's main: returns the exit code. */
export async function runExecutor(requestPath: string): Promise<number> {
  const request = decodeRequest(await readFile(requestPath, 'utf8'));
  const log = actionLogger(core, { verbose: request.verbose });
  // sudo relays the runner's SIGINT/SIGTERM: stop the build and clean up (the parent reports it).
  const interrupts = Interrupts.install({ notify: (m) => log.warn(m) });
  let response: ExecutorResponse;
  try {
    response = { ok: true, result: await build(request.options, log, { interrupt: interrupts }) };
  } catch (err) {
    response = { ok: false, error: serializeError(err) };
  } finally {
    interrupts.uninstall();
    log.close();
    for (const p of request.chown) {
      const keep = request.options.cacheMounts.dir ? [path.resolve(request.options.cacheMounts.dir)] : [];
      await chownTree(p, request.owner, keep).catch((e: Error) =>
        log.warn(`handing ${p} to uid ${request.owner.uid}: ${e.message}`),
      );
    }
  }
  await writeFile(request.responsePath, encodeJson(response), { mode: 0o644 });
  await lchown(request.responsePath, request.owner.uid, request.owner.gid).catch(() => undefined);
  // Interrupted: output writers may still run; remove what they leave and end now.
  if (interrupts.exitCode() !== undefined) interrupts.exitInterrupted();
  return response.ok ? 0 : 1;
}
