/** A syntax version; `undefined` components mean "the newest of that line". */
export interface SyntaxVersion {
    major: 1;
    minor?: number;
    patch?: number;
}
export interface DockerfileSyntax {
    /** The directive's reference as written (undefined: no directive, or ignored). */
    ref?: string;
    /** The version asked for (no directive: the newest). */
    version: SyntaxVersion;
    /** The `-labs` channel: experimental features of that version. */
    labs: boolean;
    /** One line for the debug log: which syntax this build uses and why. */
    description: string;
}
/** The newest syntax Kiln implements (no directive, `docker/dockerfile:1`, `latest`). */
export declare const LATEST_SYNTAX: DockerfileSyntax;
/** Syntax features whose availability depends on the version, with the version that made each stable. */
export declare const FEATURES: {
    /** `RUN <<EOF` heredocs (1.3 in -labs). */
    readonly heredocs: {
        readonly since: readonly [1, 4];
        readonly labsSince: readonly [1, 3];
    };
    /** COPY/ADD --link. */
    readonly link: {
        readonly since: readonly [1, 4];
    };
    /** ADD --keep-git-dir and --checksum. */
    readonly addGitAndChecksum: {
        readonly since: readonly [1, 5];
    };
    /** HEALTHCHECK --start-interval. */
    readonly startInterval: {
        readonly since: readonly [1, 6];
    };
    /** Build checks and the `# check=` directive. */
    readonly checks: {
        readonly since: readonly [1, 8];
    };
    /** White space between `<<` and the heredoc delimiter (`RUN << EOF`). */
    readonly heredocWhitespace: {
        readonly since: readonly [1, 16];
    };
    /** ADD --unpack. */
    readonly addUnpack: {
        readonly since: readonly [1, 17];
    };
    /** COPY/ADD --exclude (1.7 in -labs). */
    readonly exclude: {
        readonly since: readonly [1, 19];
        readonly labsSince: readonly [1, 7];
    };
    /** COPY --parents (1.7 in -labs). */
    readonly parents: {
        readonly since: readonly [1, 20];
        readonly labsSince: readonly [1, 7];
    };
    /** `# check=` comments right above an instruction (apply to it only). */
    readonly checkComments: {
        readonly since: readonly [1, 21];
    };
};
export type SyntaxFeature = keyof typeof FEATURES;
export declare function hasFeature(syntax: DockerfileSyntax, feature: SyntaxFeature): boolean;
/** `1.N` of a feature, for messages. */
export declare function featureSince(feature: SyntaxFeature): string;
export declare function formatVersion(v: SyntaxVersion): string;
/** Parses a frontend reference; undefined when it is not Docker's Dockerfile frontend. */
export declare function parseFrontendRef(ref: string): Omit<DockerfileSyntax, 'description'> | undefined;
export interface SyntaxOptions {
    /** Build with Kiln's syntax whatever the directive names (kiln build --ignore-syntax). */
    ignoreSyntax?: boolean;
    /** BUILDKIT_SYNTAX build arg: replaces the directive, as in BuildKit. */
    override?: string;
}
/**
 * The syntax a Dockerfile asks for. `value` is the directive's value (its
 * first word is the reference), `line` where it is. Throws DockerfileError
 * for a frontend Kiln does not implement.
 */
export declare function resolveSyntax(file: string, directive: {
    value: string;
    line: number;
} | undefined, opts?: SyntaxOptions): DockerfileSyntax;
