/**
 * Image naming as aevea/action-kaniko does it, so its users keep their
 * `image:` values:
 *  - on ghcr.io (and docker.pkg.github.com, and a GitHub Enterprise Server's
 *    containers.<host>) the image goes under the lowercased `owner/repo`:
 *    `image: kaniko` in aevea/action-kaniko → ghcr.io/aevea/action-kaniko/kaniko;
 *    an image starting with `-` or `/` is appended to `owner/repo` as is
 *    (`-dev` → owner/repo-dev);
 *  - on other registries under the registry (which may carry a path, e.g.
 *    europe-docker.pkg.dev/project/repo): registry.gitlab.com + group/app →
 *    registry.gitlab.com/group/app;
 *  - a full reference (its first component is a host) is taken as written.
 * Two additions: on a GitHub registry an image whose first component is the
 * repository owner is taken as the path under the registry (`owner/other`
 * → ghcr.io/owner/other rather than ghcr.io/owner/repo/owner/other), and
 * repository names are lowercased, which registries require.
 */
import { DEFAULT_REGISTRY, parseReference } from '../image/reference.js';
import type { GithubContext } from './github-context.js';

export interface RegistryTarget {
  /** host[:port], lowercased; docker.io for Docker Hub. */
  host: string;
  /** Namespace path under the host ('' for none), e.g. `project/repo`. */
  path: string;
}

export interface RepositoryName {
  /** registry/repository, normalised (docker.io/library/x for Docker Hub official images). */
  name: string;
  /** A tag written in the input (`image: app:1.0`), if any. */
  tag?: string;
  /** True when the user's own text held uppercase letters that were lowercased. */
  lowercased: boolean;
}

const HOST =
  /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::\d+)?$/;
const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** `registry` input → host and optional path; accepts `https://host/` and Docker Hub's aliases. */
export function parseRegistryInput(text: string): RegistryTarget {
  let s = text.trim().replace(/^[a-z]+:\/\//i, '');
  s = s.replace(/\/+$/, '');
  if (s === 'index.docker.io/v1') s = DEFAULT_REGISTRY;
  const slash = s.indexOf('/');
  const host = (slash < 0 ? s : s.slice(0, slash)).toLowerCase();
  const nsPath = slash < 0 ? '' : s.slice(slash + 1);
  if (!host) throw new Error('the registry is empty; write a host such as ghcr.io or registry.gitlab.com');
  if (!HOST.test(host)) {
    throw new Error(
      `"${text}" is not a registry host[:port] (e.g. ghcr.io, registry.gitlab.com, localhost:5000)`,
    );
  }
  return { host: DOCKER_HUB_ALIASES.has(host) ? DEFAULT_REGISTRY : host, path: nsPath.toLowerCase() };
}

/** Registries where GitHub's workflow token is a valid password and images live under owner/repo. */
export function isGithubRegistry(host: string, github: Pick<GithubContext, 'serverUrl'>): boolean {
  if (host === 'ghcr.io' || host === 'docker.pkg.github.com') return true;
  try {
    const server = new URL(github.serverUrl).host.toLowerCase();
    return server !== 'github.com' && host === `containers.${server}`;
  } catch {
    return false;
  }
}

/** `owner/repo`, lowercased, as GHCR needs it. */
export function githubNamespace(github: Pick<GithubContext, 'repository'>): string {
  if (!github.repository.includes('/')) {
    throw new Error(
      'GITHUB_REPOSITORY is not set (expected owner/repo); write the image as a full reference',
    );
  }
  return github.repository.toLowerCase();
}

/** True when the text starts with a registry host: `ghcr.io/…`, `localhost:5000/…`. */
export function startsWithHost(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash <= 0) return false;
  const first = text.slice(0, slash);
  return /[.:]/.test(first) || first === 'localhost' || first.startsWith('[');
}

/** Splits `name[:tag]`; a digest is refused (one cannot push to a digest). */
function splitTag(text: string): { bare: string; tag?: string } {
  if (text.includes('@')) {
    throw new Error(`"${text}" holds a digest; name the image without @sha256:…`);
  }
  const lastSlash = text.lastIndexOf('/');
  const lastColon = text.lastIndexOf(':');
  if (lastColon > lastSlash && !(lastSlash < 0 && text.startsWith('['))) {
    // host:port with no slash after it is not a tag, but such text is not an image either.
    return { bare: text.slice(0, lastColon), tag: text.slice(lastColon + 1) };
  }
  return { bare: text };
}

/** Resolves `image` (or `cache_registry`) against the registry the way aevea does. */
export function resolveRepository(
  text: string,
  registry: RegistryTarget,
  github: Pick<GithubContext, 'repository' | 'repositoryOwner' | 'serverUrl'>,
): RepositoryName {
  const written = text.trim();
  if (!written) throw new Error('the image name is empty');
  const { bare, tag } = splitTag(written);
  let full: string;
  if (startsWithHost(bare)) {
    full = bare;
  } else if (!registry.path && isGithubRegistry(registry.host, github)) {
    const ns = githubNamespace(github);
    const owner = (github.repositoryOwner || ns.split('/')[0]!).toLowerCase();
    if (bare.startsWith('-') || bare.startsWith('/')) full = `${registry.host}/${ns}${bare}`;
    else if (bare.split('/')[0]!.toLowerCase() === owner && bare.includes('/')) {
      full = `${registry.host}/${bare}`;
    } else full = `${registry.host}/${ns}/${bare}`;
  } else {
    const prefix = registry.path ? `${registry.host}/${registry.path}` : registry.host;
    full = `${prefix}/${bare.replace(/^\/+/, '')}`;
  }
  const lower = full.toLowerCase();
  const ref = parseReference(lower, { defaultTag: false });
  return {
    name: ref.name,
    tag,
    lowercased: bare !== bare.toLowerCase(),
  };
}
