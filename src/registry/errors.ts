/**
 * RegistryError: every failure of the registry client, with the context a
 * user needs to act on it: registry, repository, operation, the HTTP
 * exchange (method, URL without query, status) and the registry's own error
 * codes (DENIED, MANIFEST_INVALID, BLOB_UNKNOWN…), plus a hint whose
 * settings are hint codes (hints.ts) that each front door names its own way.
 */

import { type Setting, setting, settingsIn } from '../hints.js';

/** One entry of the registry's `{"errors":[…]}` body. */
export interface RegistryErrorCode {
  code: string;
  message?: string;
  detail?: unknown;
}

/** Why the operation failed, beyond the HTTP status. */
export type RegistryFailure =
  | 'status' // the registry answered with an unexpected status
  | 'network' // connection refused/reset, TLS, timeout
  | 'digest-mismatch' // content does not hash to the digest it was asked for
  | 'size-mismatch' // more bytes than the descriptor's size
  | 'truncated' // fewer bytes than the descriptor's size
  | 'invalid-response' // unparseable manifest, missing Location header…
  | 'platform' // no manifest in an index for the wanted platform
  | 'credentials'; // a credential helper or config file failed

export interface RegistryErrorInit {
  registry: string;
  repository?: string;
  /** What Kiln was doing: "pull manifest", "upload blob sha256:…", "push manifest"… */
  operation: string;
  failure: RegistryFailure;
  method?: string;
  url?: string;
  status?: number;
  codes?: RegistryErrorCode[];
  /** The detail line (e.g. a network error's message). */
  detail?: string;
  /** What to do about it; computed from status and registry when absent. Names settings by marker (hints.ts). */
  hint?: string;
  /** Worth trying again (network error, 408/429/5xx, a refreshed token). */
  retryable?: boolean;
  /** Seconds the registry asked us to wait (Retry-After). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
  readonly registry: string;
  readonly repository: string | undefined;
  readonly operation: string;
  readonly failure: RegistryFailure;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly codes: RegistryErrorCode[];
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  /** The settings the hint points at (hint codes; each front door names them its own way). */
  readonly settings: Setting[];
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  private readonly init: RegistryErrorInit;

  constructor(init: RegistryErrorInit) {
    const hint = init.hint ?? hintFor(init);
    super(formatMessage(init, hint), init.cause !== undefined ? { cause: init.cause } : undefined);
    this.registry = init.registry;
    this.repository = init.repository;
    this.operation = init.operation;
    this.failure = init.failure;
    this.method = init.method;
    this.url = init.url;
    this.status = init.status;
    this.codes = init.codes ?? [];
    this.detail = init.detail;
    this.hint = hint;
    this.settings = settingsIn(hint);
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
    this.init = init;
  }

  /** A copy with some fields changed (e.g. a more precise operation, or "gave up after 5 attempts"). */
  with(patch: Partial<RegistryErrorInit>): RegistryError {
    return new RegistryError({ ...this.init, ...patch, cause: this.init.cause ?? this });
  }

  hasCode(code: string): boolean {
    return this.codes.some((c) => c.code === code);
  }
}

/** The URL without its query (upload URLs carry opaque state, never needed in a message). */
export function displayUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

function formatMessage(init: RegistryErrorInit, hint: string | undefined): string {
  const where = init.repository ? `${init.registry}/${init.repository}` : init.registry;
  let s = `${init.operation} (${where}) failed`;
  if (init.method && init.url) {
    s += `: ${init.method} ${displayUrl(init.url)}`;
    if (init.status !== undefined) s += ` → ${init.status}`;
  }
  if (init.codes?.length) {
    s += `; registry says: ${init.codes
      .map((c) => (c.message ? `${c.code}: ${c.message}` : c.code))
      .join('; ')}`;
  }
  if (init.detail) s += `; ${init.detail}`;
  if (hint) s += `. ${hint}`;
  return s;
}

export function isGhcr(registry: string): boolean {
  return registry === 'ghcr.io' || registry.endsWith('.ghcr.io');
}

function hintFor(init: RegistryErrorInit): string | undefined {
  const { status, registry } = init;
  const codes = new Set((init.codes ?? []).map((c) => c.code));
  if (init.failure === 'network') {
    if (/certificate|self[- ]signed|CERT_|unable to verify/i.test(init.detail ?? '')) {
      return `The TLS certificate of ${registry} is not trusted: pass its CA with ${setting('registry-certificate', `${registry}=ca.pem`)}, or use ${setting('skip-tls-verify-registry', registry)} (or ${setting('insecure-registry', registry)} for plain HTTP)`;
    }
    return networkHint(registry, init.detail ?? '');
  }
  if (codes.has('BLOB_UPLOAD_UNKNOWN') || codes.has('BLOB_UPLOAD_INVALID')) {
    return 'The registry dropped the upload session (it expired, or a broken request left it unusable); pushing again starts a new one';
  }
  if (
    init.failure === 'digest-mismatch' ||
    init.failure === 'truncated' ||
    init.failure === 'size-mismatch'
  ) {
    return 'The content received is not what the manifest promised; nothing of it was used. Retry; if it persists, the registry or a proxy in between is corrupting data';
  }
  if (status === 401 || codes.has('UNAUTHORIZED')) {
    return `Check the credentials for ${registry} (${setting('credentials')})`;
  }
  if (status === 403 || codes.has('DENIED')) return permissionHint(registry, undefined);
  if (status === 404 || codes.has('NAME_UNKNOWN') || codes.has('MANIFEST_UNKNOWN')) {
    return 'Check the image name, tag or digest; a private image also answers 404 without credentials';
  }
  if (status === 429 || codes.has('TOOMANYREQUESTS')) {
    return 'The registry is rate limiting; log in (authenticated limits are higher) or try again later';
  }
  if (status !== undefined && status >= 500) return 'The registry had a server error; try again later';
  return undefined;
}

/** The hint for a failure below HTTP: a body of the wrong length, a connection that broke, or none made. */
function networkHint(registry: string, detail: string): string {
  if (/REQ_CONTENT_LENGTH_MISMATCH|Request body length/i.test(detail)) {
    return 'The content sent is not as long as its size says: a file changed while it was read, or a cached layer is damaged; build again (clear the layer cache if it persists)';
  }
  if (/RES_CONTENT_LENGTH_MISMATCH|Response body length/i.test(detail)) {
    return `${registry} (or a proxy in between) sent a shorter body than its Content-Length; retry, and if it persists report it to the registry's operators`;
  }
  if (
    /ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED|BODY_TIMEOUT|HEADERS_TIMEOUT|PREMATURE_CLOSE|other side closed/i.test(
      detail,
    )
  ) {
    return `The connection to ${registry} broke off or stalled mid-transfer; retry, and if it persists check for a proxy or load balancer that cuts long transfers`;
  }
  return `Check that ${registry} is reachable from here (DNS, proxy, firewall); for a plain-HTTP registry use ${setting('insecure-registry', registry)}`;
}

/** What to do when the registry refuses an action the credentials are not allowed. */
export function permissionHint(registry: string, scope: string | undefined): string {
  if (isGhcr(registry)) {
    return 'On ghcr.io this usually means the token may not write this package: give the workflow `permissions: packages: write`, and in the package settings (Manage Actions access) grant this repository Write access, or link the package to the repository';
  }
  const what = scope ? ` (asked for "${scope}")` : '';
  return `The credentials for ${registry} lack permission for this repository${what}; pushing needs write access`;
}

/** Parses `{"errors":[{code,message,detail}]}`; anything else gives no codes. */
export function parseErrorCodes(body: string): RegistryErrorCode[] {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({
        code: String(e.code ?? 'UNKNOWN'),
        message: typeof e.message === 'string' ? e.message : undefined,
        detail: e.detail,
      }));
  } catch {
    return [];
  }
}
