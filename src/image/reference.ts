/**
 * Image references, parsed and normalised the way Docker does:
 * `ubuntu` → docker.io/library/ubuntu:latest, `host:port/ns/name:tag@sha256:…`,
 * `localhost/name`, `[::1]:5000/name`. Invalid input gets an error that quotes
 * it and names the rule it breaks.
 */
import { type Digest, parseDigest } from './digest.js';

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:.]+(?:%[a-zA-Z0-9]+)?\]$/;
const PORT = /^[0-9]+$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export class InvalidReferenceError extends Error {
  override name = 'InvalidReferenceError';
  constructor(
    readonly input: string,
    rule: string,
  ) {
    super(`invalid image reference "${input}": ${rule}`);
  }
}

export class Reference {
  constructor(
    /** Registry host as written, normalised (`docker.io`, `ghcr.io`, `localhost:5000`). */
    readonly registry: string,
    /** Repository path (`library/ubuntu`, `owner/repo/app`). */
    readonly repository: string,
    readonly tag: string | undefined,
    readonly digest: Digest | undefined,
  ) {}

  /** registry/repository */
  get name(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** The tag or digest a pull asks for: the digest wins when both are given. */
  get identifier(): string {
    return this.digest ?? this.tag ?? DEFAULT_TAG;
  }

  /** Host to talk to for the registry API (Docker Hub's API lives elsewhere). */
  get apiHost(): string {
    return this.registry === DEFAULT_REGISTRY ? 'registry-1.docker.io' : this.registry;
  }

  withTag(tag: string): Reference {
    if (!TAG.test(tag)) throw new InvalidReferenceError(`${this.name}:${tag}`, tagRule(tag));
    return new Reference(this.registry, this.repository, tag, undefined);
  }

  withDigest(digest: Digest): Reference {
    return new Reference(this.registry, this.repository, undefined, digest);
  }

  /** Same registry and repository. */
  sameRepository(other: Reference): boolean {
    return this.registry === other.registry && this.repository === other.repository;
  }

  toString(): string {
    let s = this.name;
    if (this.tag) s += `:${this.tag}`;
    if (this.digest) s += `@${this.digest}`;
    return s;
  }
}

function tagRule(tag: string): string {
  if (tag.length > 128) return `the tag is ${tag.length} characters long; at most 128 are allowed`;
  return `tag "${tag}" must start with a letter, digit or _ and hold only letters, digits, _, . and -`;
}

function validDomain(domain: string): boolean {
  let host = domain;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return false;
    port = host.slice(end + 1);
    host = host.slice(0, end + 1);
    if (port && (!port.startsWith(':') || !PORT.test(port.slice(1)))) return false;
    return IPV6_HOST.test(host);
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
    if (!PORT.test(port)) return false;
  }
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/** Parses and normalises a reference; `tag` defaults to latest unless a digest is given. */
export function parseReference(input: string, opts: { defaultTag?: boolean } = {}): Reference {
  const defaultTag = opts.defaultTag ?? true;
  if (input.length === 0) throw new InvalidReferenceError(input, 'it is empty');
  if (/\s/.test(input)) throw new InvalidReferenceError(input, 'it contains whitespace');

  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    try {
      digest = parseDigest(d);
    } catch (e) {
      throw new InvalidReferenceError(input, (e as Error).message);
    }
    rest = rest.slice(0, at);
  }

  // A tag is after the last ':' that follows the last '/'.
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash && !(lastSlash < 0 && rest.startsWith('['))) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(input, tagRule(tag));
  }

  let registry = DEFAULT_REGISTRY;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (
      /[.:]/.test(first) ||
      first === 'localhost' ||
      first !== first.toLowerCase() ||
      first.startsWith('[')
    ) {
      if (!validDomain(first)) {
        throw new InvalidReferenceError(input, `"${first}" is not a valid registry host[:port]`);
      }
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DEFAULT_REGISTRY;
  if (repository.length === 0) throw new InvalidReferenceError(input, 'the repository name is empty');
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;

  for (const component of repository.split('/')) {
    if (component !== component.toLowerCase()) {
      throw new InvalidReferenceError(input, 'repository name must be lowercase');
    }
    if (!PATH_COMPONENT.test(component)) {
      throw new InvalidReferenceError(
        input,
        `repository path component "${component}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`,
      );
    }
  }
  const name = `${registry}/${repository}`;
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidReferenceError(
      input,
      `the name is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are allowed`,
    );
  }
  if (!tag && !digest && defaultTag) tag = DEFAULT_TAG;
  return new Reference(registry, repository, tag, digest);
}
