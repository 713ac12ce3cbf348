/**
 * Image references, parsed and normalised the way Docker does:
 * `ubuntu` → docker.io/library/ubuntu:latest, `host:port/ns/name:tag@sha256:…`,
 * `localhost/name`, `[::1]:5000/name`. Invalid input gets an error that quotes
 * it and names the rule it breaks.
 */
import { type Digest } from './digest.js';
export declare const DEFAULT_REGISTRY = "docker.io";
export declare const DEFAULT_TAG = "latest";
export declare class InvalidReferenceError extends Error {
    readonly input: string;
    name: string;
    constructor(input: string, rule: string);
}
export declare class Reference {
    /** Registry host as written, normalised (`docker.io`, `ghcr.io`, `localhost:5000`). */
    readonly registry: string;
    /** Repository path (`library/ubuntu`, `owner/repo/app`). */
    readonly repository: string;
    readonly tag: string | undefined;
    readonly digest: Digest | undefined;
    constructor(
    /** Registry host as written, normalised (`docker.io`, `ghcr.io`, `localhost:5000`). */
    registry: string, 
    /** Repository path (`library/ubuntu`, `owner/repo/app`). */
    repository: string, tag: string | undefined, digest: Digest | undefined);
    /** registry/repository */
    get name(): string;
    /** The tag or digest a pull asks for: the digest wins when both are given. */
    get identifier(): string;
    /** Host to talk to for the registry API (Docker Hub's API lives elsewhere). */
    get apiHost(): string;
    withTag(tag: string): Reference;
    withDigest(digest: Digest): Reference;
    /** Same registry and repository. */
    sameRepository(other: Reference): boolean;
    toString(): string;
}
/** Parses and normalises a reference; `tag` defaults to latest unless a digest is given. */
export declare function parseReference(input: string, opts?: {
    defaultTag?: boolean;
}): Reference;
