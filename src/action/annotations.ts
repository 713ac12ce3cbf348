/**
 * Errors as GitHub annotations: a Dockerfile error points at its file and
 * line; a registry error says what to fix (GHCR 403 → packages: write). The
 * types are structural so that the dockerfile and registry modules need not
 * know about the action: anything with the right fields qualifies.
 */
import path from 'node:path';

/** What a Dockerfile error carries. */
export interface DockerfileErrorLike {
  file: string;
  line: number;
  message: string;
}

/** What a registry error carries (status, and where possible the request and the registry's codes). */
export interface RegistryErrorLike {
  status: number;
  message: string;
  method?: string;
  url?: string;
  /** The registry's error codes: DENIED, UNAUTHORIZED, NAME_UNKNOWN, TOOMANYREQUESTS, … (as RegistryError holds them, or bare). */
  codes?: readonly (string | { code: string })[];
  /** The hint the error's message already ends with (RegistryError's). */
  hint?: string;
}

/** Arguments for core.error(message, properties). */
export interface Annotation {
  message: string;
  properties: { title?: string; file?: string; startLine?: number };
}

export function isDockerfileErrorLike(err: unknown): err is DockerfileErrorLike {
  const e = err as Partial<DockerfileErrorLike> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.file === 'string' &&
    e.file.length > 0 &&
    typeof e.line === 'number' &&
    Number.isInteger(e.line) &&
    e.line > 0 &&
    typeof e.message === 'string'
  );
}

export function isRegistryErrorLike(err: unknown): err is RegistryErrorLike {
  const e = err as Partial<RegistryErrorLike> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.status === 'number' &&
    e.status >= 400 &&
    typeof e.message === 'string'
  );
}

/** The annotation's file: relative to the workspace (what GitHub matches against the repository). */
function annotationPath(file: string, workspace: string): string {
  const rel = path.isAbsolute(file) ? path.relative(workspace, file) : file;
  return rel.split(path.sep).join('/');
}

export function dockerfileAnnotation(err: DockerfileErrorLike, workspace: string): Annotation {
  const file = annotationPath(err.file, workspace);
  return {
    message: err.message,
    // Outside the workspace GitHub cannot place it on a file: keep the location in the text.
    properties: file.startsWith('../')
      ? { title: `Dockerfile error at ${err.file}:${err.line}` }
      : { title: 'Dockerfile error', file, startLine: err.line },
  };
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** What to do about a registry error, or undefined when there is nothing specific to say. */
export function registryHint(err: RegistryErrorLike): string | undefined {
  const host = hostOf(err.url);
  const codes = new Set(
    (err.codes ?? []).map((c) => String(typeof c === 'string' ? c : c?.code).toUpperCase()),
  );
  const ghcr = host === 'ghcr.io';
  if (ghcr && (err.status === 403 || codes.has('DENIED'))) {
    return (
      'GHCR refused the push: give the job `permissions: packages: write`; if the package already exists, ' +
      "also grant this repository Write access in the package's settings (Manage Actions access)"
    );
  }
  if (ghcr && err.status === 401) {
    return (
      'GHCR did not accept the credentials: leave password at its default (the workflow token) or use a ' +
      'token with write:packages; pushing elsewhere? registry defaults to ghcr.io (for Docker Hub set registry: docker.io)'
    );
  }
  if (err.status === 429 || codes.has('TOOMANYREQUESTS')) {
    return 'the registry rate-limited the requests: log in (username and password) to get a higher limit, or retry later';
  }
  if (err.status === 401 || codes.has('UNAUTHORIZED')) {
    return 'the registry did not accept the credentials: check username and password (and that registry names the right host)';
  }
  if (err.status === 403 || codes.has('DENIED')) {
    return 'the registry denied access: the account needs push rights on this repository';
  }
  if (err.status === 404 || codes.has('NAME_UNKNOWN')) {
    return 'the repository does not exist on the registry: some registries (e.g. ECR) need it created before the first push';
  }
  return undefined;
}

export function registryAnnotation(err: RegistryErrorLike): Annotation {
  // A RegistryError's message ends with its own hint: a second one would say it twice.
  const hint = err.hint ? undefined : registryHint(err);
  return {
    message: hint ? `${err.message}\n${hint}` : err.message,
    properties: { title: 'Registry error' },
  };
}

/** Any error → one annotation for core.error(). */
export function errorAnnotation(err: unknown, workspace: string): Annotation {
  if (isDockerfileErrorLike(err)) return dockerfileAnnotation(err, workspace);
  if (isRegistryErrorLike(err)) return registryAnnotation(err);
  return { message: err instanceof Error ? err.message : String(err), properties: {} };
}
