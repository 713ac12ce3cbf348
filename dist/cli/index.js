import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 91:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _cli_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(668);
/** Bundle entry of the CLI: runs main() on the process's argv. */

process.exitCode = await (0,_cli_js__WEBPACK_IMPORTED_MODULE_0__/* .main */ .i)(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
});

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 668:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  i: () => (/* binding */ main)
});

;// CONCATENATED MODULE: ./src/build/build.ts
async function build(_options, _log) {
    throw new Error('kiln build: the executor is not implemented yet');
}

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_namespaceObject);
;// CONCATENATED MODULE: ./src/build/options.ts
const DEFAULT_CACHE_TTL_MS = 14 * 24 * 3600 * 1000;
/** Options with every default filled; front doors override what the user set. */
function defaultBuildOptions(context, dockerfile) {
    return {
        context,
        dockerfile,
        destinations: [],
        push: true,
        buildArgs: new Map(),
        labels: new Map(),
        insecureRegistries: [],
        skipTlsVerifyRegistries: [],
        registryCertificates: new Map(),
        cache: { enabled: false, ttlMs: DEFAULT_CACHE_TTL_MS, copyLayers: true, runLayers: true },
        reproducible: false,
        isolation: 'auto',
        snapshotMode: 'auto',
        keepWorkspace: false,
        pushRetry: 5,
    };
}

;// CONCATENATED MODULE: ./src/cli/flags.ts
class UsageError extends Error {
    name = 'UsageError';
}
const DURATION_UNITS = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
};
/** Parses a Go duration (`168h`, `1h30m`, `90s`, also `14d`) into milliseconds. */
function parseDuration(text) {
    const s = text.trim();
    if (/^\d+$/.test(s))
        return Number(s) * 1000;
    const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;
    let total = 0;
    let pos = 0;
    while (pos < s.length) {
        re.lastIndex = pos;
        const m = re.exec(s);
        if (!m)
            throw new UsageError(`invalid duration "${text}": expected e.g. 168h, 1h30m, 90s`);
        total += Number(m[1]) * DURATION_UNITS[m[2]];
        pos = re.lastIndex;
    }
    if (s.length === 0)
        throw new UsageError('invalid duration "": expected e.g. 168h, 1h30m, 90s');
    return total;
}
function parseBool(name, text) {
    const t = text.toLowerCase();
    if (['true', '1', 't', 'yes'].includes(t))
        return true;
    if (['false', '0', 'f', 'no'].includes(t))
        return false;
    throw new UsageError(`flag --${name}: "${text}" is not a boolean (use true or false)`);
}
function parseFlags(argv, specs) {
    const byName = new Map();
    for (const spec of specs) {
        byName.set(`--${spec.name}`, spec);
        for (const a of spec.aliases ?? [])
            byName.set(`--${a}`, spec);
        if (spec.short)
            byName.set(`-${spec.short}`, spec);
    }
    const values = new Map();
    const positional = [];
    const warnings = [];
    const unknown = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--') {
            positional.push(...argv.slice(i + 1));
            break;
        }
        if (!arg.startsWith('-') || arg === '-') {
            positional.push(arg);
            continue;
        }
        const eq = arg.indexOf('=');
        const key = eq >= 0 ? arg.slice(0, eq) : arg;
        let inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
        let spec = byName.get(key);
        // pflag also takes `-fDockerfile` for short flags.
        if (!spec && !key.startsWith('--') && key.length > 2 && inline === undefined) {
            spec = byName.get(key.slice(0, 2));
            if (spec && spec.kind !== 'bool')
                inline = key.slice(2);
            else
                spec = undefined;
        }
        if (!spec) {
            unknown.push(key);
            continue;
        }
        let raw;
        if (spec.kind === 'bool') {
            raw = inline ?? 'true';
        }
        else if (inline !== undefined) {
            raw = inline;
        }
        else {
            const next = argv[i + 1];
            if (next === undefined)
                throw new UsageError(`flag ${key} needs a value`);
            raw = next;
            i++;
        }
        if (spec.ignored) {
            warnings.push(`flag --${spec.name} is accepted for kaniko compatibility and ignored: ${spec.ignored}`);
            continue;
        }
        switch (spec.kind) {
            case 'bool':
                values.set(spec.name, parseBool(spec.name, raw));
                break;
            case 'string':
                values.set(spec.name, raw);
                break;
            case 'list': {
                const prev = values.get(spec.name) ?? [];
                values.set(spec.name, [...prev, raw]);
                break;
            }
            case 'int': {
                if (!/^-?\d+$/.test(raw))
                    throw new UsageError(`flag --${spec.name}: "${raw}" is not an integer`);
                values.set(spec.name, Number(raw));
                break;
            }
            case 'duration':
                values.set(spec.name, parseDuration(raw));
                break;
            default: {
                const never = spec.kind;
                throw new Error(`unhandled flag kind ${String(never)}`);
            }
        }
    }
    if (unknown.length > 0) {
        const list = unknown.map((u) => `"${u}"`).join(', ');
        throw new UsageError(`unknown flag${unknown.length > 1 ? 's' : ''} ${list} (see kiln build --help)`);
    }
    return { values, positional, warnings };
}
/** One line per flag, aligned; ignored kaniko flags listed last. */
function formatFlagHelp(specs) {
    const label = (s) => {
        const short = s.short ? `-${s.short}, ` : '    ';
        const meta = s.kind === 'bool' ? '' : ` ${s.metavar ?? s.kind}`;
        return `  ${short}--${s.name}${meta}`;
    };
    const width = Math.max(...specs.map((s) => label(s).length)) + 2;
    const line = (s) => label(s).padEnd(width) + (s.ignored ? `(ignored) ${s.ignored}` : s.help);
    const used = specs.filter((s) => !s.ignored).map(line);
    const ignored = specs.filter((s) => s.ignored).map(line);
    return [
        ...used,
        ...(ignored.length ? ['', 'Accepted for kaniko compatibility, no effect:', ...ignored] : []),
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/cli/build-flags.ts
/**
 * `kiln build` flags: kaniko executor names for what Kiln supports, mapped to
 * BuildOptions. This is the only place argv meets BuildOptions.
 */



const BUILD_FLAGS = [
    {
        name: 'context',
        short: 'c',
        kind: 'string',
        metavar: 'dir',
        help: 'Build context directory (default: .)',
    },
    {
        name: 'dockerfile',
        short: 'f',
        kind: 'string',
        metavar: 'path',
        help: 'Dockerfile, relative to the context (default: Dockerfile)',
    },
    {
        name: 'destination',
        short: 'd',
        kind: 'list',
        metavar: 'ref',
        help: 'Image reference to push to; repeat for several tags',
    },
    {
        name: 'no-push',
        kind: 'bool',
        help: 'Build without pushing (write --tar-path / --oci-layout-path only)',
    },
    {
        name: 'tar-path',
        kind: 'string',
        metavar: 'file',
        aliases: ['tarPath'],
        help: 'Write the image as a docker-archive tarball',
    },
    { name: 'oci-layout-path', kind: 'string', metavar: 'dir', help: 'Write the image as an OCI image layout' },
    {
        name: 'build-arg',
        kind: 'list',
        metavar: 'KEY[=value]',
        help: 'Build argument; a bare KEY takes its value from the environment',
    },
    { name: 'target', kind: 'string', metavar: 'stage', help: 'Build this stage (default: the last)' },
    { name: 'label', kind: 'list', metavar: 'KEY=value', help: 'Label to add to the final image' },
    { name: 'digest-file', kind: 'string', metavar: 'file', help: 'Write the image digest to this file' },
    {
        name: 'image-name-with-digest-file',
        kind: 'string',
        metavar: 'file',
        help: 'Write <destination>@<digest> lines to this file',
    },
    { name: 'insecure-registry', kind: 'list', metavar: 'host', help: 'Reach this registry over plain HTTP' },
    { name: 'insecure', kind: 'bool', help: 'Push to the destination registries over plain HTTP' },
    { name: 'skip-tls-verify', kind: 'bool', help: 'Do not verify TLS certificates of any registry' },
    {
        name: 'skip-tls-verify-registry',
        kind: 'list',
        metavar: 'host',
        help: 'Do not verify the TLS certificate of this registry',
    },
    {
        name: 'registry-certificate',
        kind: 'list',
        metavar: 'host=file',
        help: 'Trust this CA certificate file for a registry',
    },
    { name: 'cache', kind: 'bool', help: 'Use and fill the layer cache' },
    { name: 'cache-repo', kind: 'string', metavar: 'repo', help: 'Registry repository for cached layers' },
    {
        name: 'cache-ttl',
        kind: 'duration',
        metavar: 'duration',
        help: 'Ignore cache entries older than this (default: 336h)',
    },
    { name: 'cache-dir', kind: 'string', metavar: 'dir', help: 'Local directory for the layer cache' },
    { name: 'cache-copy-layers', kind: 'bool', help: 'Cache COPY/ADD layers (default: true)' },
    { name: 'cache-run-layers', kind: 'bool', help: 'Cache RUN layers (default: true)' },
    { name: 'reproducible', kind: 'bool', help: 'Clamp timestamps so equal inputs give an equal digest' },
    {
        name: 'custom-platform',
        kind: 'string',
        metavar: 'os/arch',
        aliases: ['platform', 'customPlatform'],
        help: 'Target platform, e.g. linux/amd64 (default: the host)',
    },
    {
        name: 'isolation',
        kind: 'string',
        metavar: 'mode',
        help: 'RUN isolation: auto, chroot, rootless (default: auto)',
    },
    {
        name: 'snapshot-mode',
        kind: 'string',
        metavar: 'mode',
        aliases: ['snapshotMode'],
        help: 'Layer snapshots: auto, overlay, walk (default: auto)',
    },
    {
        name: 'workspace',
        kind: 'string',
        metavar: 'dir',
        help: 'Build workspace directory (default: a temp dir)',
    },
    { name: 'keep-workspace', kind: 'bool', help: 'Keep the workspace after the build' },
    { name: 'push-retry', kind: 'int', metavar: 'n', help: 'Attempts per registry request (default: 5)' },
    {
        name: 'verbosity',
        short: 'v',
        kind: 'string',
        metavar: 'level',
        help: 'Log level: error, warn, info, debug',
    },
    { name: 'help', short: 'h', kind: 'bool', help: 'Show this help' },
    { name: 'cleanup', kind: 'bool', ignored: 'the workspace is always removed (see --keep-workspace)' },
    { name: 'use-new-run', kind: 'bool', ignored: 'Kiln always snapshots only what a RUN changed' },
    { name: 'compressed-caching', kind: 'bool', ignored: 'Kiln never holds layers in memory' },
    { name: 'single-snapshot', kind: 'bool', ignored: 'not supported; each step makes its own layer' },
    { name: 'force', kind: 'bool', ignored: 'Kiln runs outside containers by design' },
    { name: 'ignore-var-run', kind: 'bool', ignored: 'Kiln never captures host mounts' },
    { name: 'skip-unused-stages', kind: 'bool', ignored: 'unused stages are always skipped' },
    { name: 'kaniko-dir', kind: 'string', ignored: 'use --workspace' },
    { name: 'log-format', kind: 'string', ignored: 'Kiln prints plain lines' },
    { name: 'log-timestamp', kind: 'bool', ignored: 'timestamps are printed when not on a terminal' },
    { name: 'image-fs-extract-retry', kind: 'int', ignored: 'extraction does not retry' },
];
const KANIKO_SNAPSHOT_MODES = new Set(['full', 'redo', 'time']);
function str(values, name) {
    return values.get(name);
}
function list(values, name) {
    return values.get(name) ?? [];
}
function bool(values, name) {
    return values.get(name);
}
/** KEY=value pairs; `bareFromEnv` lets a bare KEY take its value from env (build args). */
function parseKeyValues(flag, items, env) {
    const out = new Map();
    for (const item of items) {
        const eq = item.indexOf('=');
        const key = eq >= 0 ? item.slice(0, eq) : item;
        if (!key)
            throw new UsageError(`--${flag} "${item}": the key before "=" is empty`);
        if (eq >= 0)
            out.set(key, item.slice(eq + 1));
        else if (env) {
            const v = env[key];
            if (v !== undefined)
                out.set(key, v);
        }
        else
            throw new UsageError(`--${flag} "${item}": expected KEY=value`);
    }
    return out;
}
function buildOptionsFromFlags(values, env, cwd) {
    const context = external_node_path_default().resolve(cwd, str(values, 'context') ?? '.');
    const o = applyBuildFlags(defaultBuildOptions(context, __nccwpck_require__.ab + "main/" + context + '/Dockerfile'), values, env, cwd);
    if (o.push && o.destinations.length === 0) {
        throw new UsageError('no --destination given: pass --destination <ref> to push, or --no-push');
    }
    return o;
}
/**
 * Applies the flags that were given onto a copy of `base`: scalar flags
 * replace, list flags (--destination, --build-arg, --label, …) add. The CLI
 * applies them onto the defaults; the action onto what its inputs produced
 * (`extra_args`), so both accept the same kaniko flags with the same meaning.
 * `env` gives a bare `--build-arg KEY` its value; undefined rejects bare keys.
 * Relative paths resolve against `cwd`; --dockerfile against the context.
 */
function applyBuildFlags(base, values, env, cwd) {
    const o = structuredClone(base);
    const has = (name) => values.has(name);
    if (has('context'))
        o.context = external_node_path_default().resolve(cwd, str(values, 'context'));
    if (has('dockerfile'))
        o.dockerfile = external_node_path_default().resolve(o.context, str(values, 'dockerfile'));
    o.destinations.push(...list(values, 'destination'));
    if (has('no-push'))
        o.push = !bool(values, 'no-push');
    if (has('tar-path'))
        o.tarPath = resolveOpt(cwd, str(values, 'tar-path'));
    if (has('oci-layout-path'))
        o.ociLayoutPath = resolveOpt(cwd, str(values, 'oci-layout-path'));
    for (const [k, v] of parseKeyValues('build-arg', list(values, 'build-arg'), env))
        o.buildArgs.set(k, v);
    if (has('target'))
        o.target = str(values, 'target');
    for (const [k, v] of parseKeyValues('label', list(values, 'label'), undefined))
        o.labels.set(k, v);
    if (has('digest-file'))
        o.digestFile = resolveOpt(cwd, str(values, 'digest-file'));
    if (has('image-name-with-digest-file')) {
        o.imageNameWithDigestFile = resolveOpt(cwd, str(values, 'image-name-with-digest-file'));
    }
    o.insecureRegistries.push(...list(values, 'insecure-registry'));
    if (bool(values, 'insecure')) {
        for (const d of o.destinations)
            o.insecureRegistries.push(d.split('/')[0]);
    }
    if (bool(values, 'skip-tls-verify'))
        o.skipTlsVerifyRegistries = ['*'];
    else if (!o.skipTlsVerifyRegistries.includes('*')) {
        o.skipTlsVerifyRegistries.push(...list(values, 'skip-tls-verify-registry'));
    }
    for (const item of list(values, 'registry-certificate')) {
        const eq = item.indexOf('=');
        if (eq <= 0 || eq === item.length - 1) {
            throw new UsageError(`--registry-certificate "${item}": expected host=path/to/ca.pem`);
        }
        o.registryCertificates.set(item.slice(0, eq), external_node_path_default().resolve(cwd, item.slice(eq + 1)));
    }
    if (has('cache'))
        o.cache.enabled = bool(values, 'cache');
    if (has('cache-repo'))
        o.cache.repo = str(values, 'cache-repo');
    if (has('cache-ttl'))
        o.cache.ttlMs = values.get('cache-ttl');
    if (has('cache-dir'))
        o.cache.dir = resolveOpt(cwd, str(values, 'cache-dir'));
    if (has('cache-copy-layers'))
        o.cache.copyLayers = bool(values, 'cache-copy-layers');
    if (has('cache-run-layers'))
        o.cache.runLayers = bool(values, 'cache-run-layers');
    if (has('reproducible'))
        o.reproducible = bool(values, 'reproducible');
    if (has('custom-platform'))
        o.platform = str(values, 'custom-platform');
    if (has('isolation')) {
        o.isolation = oneOf('isolation', str(values, 'isolation'), ['auto', 'chroot', 'rootless', 'none']);
    }
    if (has('snapshot-mode')) {
        const snap = str(values, 'snapshot-mode');
        o.snapshotMode = KANIKO_SNAPSHOT_MODES.has(snap)
            ? 'auto'
            : oneOf('snapshot-mode', snap, ['auto', 'overlay', 'walk']);
    }
    if (has('workspace'))
        o.workspace = resolveOpt(cwd, str(values, 'workspace'));
    if (has('keep-workspace'))
        o.keepWorkspace = bool(values, 'keep-workspace');
    const retry = values.get('push-retry');
    if (retry !== undefined) {
        if (retry < 1)
            throw new UsageError(`--push-retry ${retry}: must be at least 1`);
        o.pushRetry = retry;
    }
    return o;
}
function resolveOpt(cwd, p) {
    return p === undefined ? undefined : external_node_path_default().resolve(cwd, p);
}
function oneOf(flag, value, allowed) {
    if (allowed.includes(value))
        return value;
    throw new UsageError(`--${flag} "${value}": expected one of ${allowed.join(', ')}`);
}

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: ./src/dockerfile/errors.ts
/**
 * Errors of the Dockerfile front end. Every error a user can cause names the
 * file and the line: `Dockerfile:12: unknown instruction "FOO"`. The action
 * turns `file`, `line` and `endLine` into an annotation on that line.
 */
class DockerfileError extends Error {
    name = 'DockerfileError';
    /** The error without the `file:line: ` prefix. */
    detail;
    file;
    /** 1-based line; undefined when the error is about the file as a whole (e.g. an unknown --target). */
    line;
    endLine;
    constructor(file, line, detail, endLine) {
        super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
        this.file = file;
        this.line = line;
        this.endLine = line === undefined ? undefined : Math.max(endLine ?? line, line);
        this.detail = detail;
    }
    static at(location, detail) {
        return new DockerfileError(location.file, location.startLine, detail, location.endLine);
    }
}
/**
 * A problem found while expanding a shell word; carries no location. The
 * caller that knows the instruction wraps it into a DockerfileError.
 */
class ShellWordError extends Error {
    name = 'ShellWordError';
}
/** Runs fn; turns a ShellWordError (or any plain Error) into a DockerfileError at location. */
function errors_atLocation(location, fn) {
    try {
        return fn();
    }
    catch (err) {
        if (err instanceof DockerfileError)
            throw err;
        throw DockerfileError.at(location, err instanceof Error ? err.message : String(err));
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/glob.ts
/**
 * A tiny glob engine shared by shell-word patterns (`${VAR#pat}`, `${VAR/pat/rep}`)
 * and .dockerignore patterns. BuildKit and moby/patternmatcher turn these
 * patterns into Go regular expressions (RE2: linear time). JavaScript's
 * regular expressions backtrack, so a hostile pattern such as
 * `**\/**\/**\/x` could take exponential time. Instead the pattern becomes a
 * token list simulated as an NFA over code points: O(input × pattern).
 */
const NEWLINE = 0x0a;
const SLASH = 0x2f;
function toCodePoints(s) {
    const cps = [];
    const offsets = [];
    for (let i = 0; i < s.length;) {
        const c = s.codePointAt(i);
        cps.push(c);
        offsets.push(i);
        i += c > 0xffff ? 2 : 1;
    }
    offsets.push(s.length);
    return { cps, offsets };
}
function classMatches(t, c) {
    let hit = false;
    for (const [lo, hi] of t.ranges) {
        if (c >= lo && c <= hi) {
            hit = true;
            break;
        }
    }
    return hit !== t.neg;
}
/**
 * A compiled glob. `tail` adds moby/patternmatcher's implicit `(/.*)?$`: a
 * pattern that matches a directory also matches everything below it.
 */
class Glob {
    tokens;
    tail;
    m;
    /** States: 0..m "next token is k" (m: all matched), m+1+k "inside dirs group k", 2m+1 tail. */
    size;
    tailState;
    constructor(tokens, tail = false) {
        this.tokens = tokens;
        this.tail = tail;
        this.m = tokens.length;
        this.tailState = 2 * this.m + 1;
        this.size = 2 * this.m + 2;
    }
    /** Adds state k and everything reachable from it without input, tagging each with start. */
    close(set, k, start, list) {
        for (;;) {
            const prev = set[k];
            if (prev !== -1 && prev <= start)
                return;
            if (prev === -1)
                list.push(k);
            set[k] = start;
            if (k >= this.m)
                return;
            const t = this.tokens[k];
            if (t.k === 'star') {
                k++;
                continue;
            }
            if (t.k === 'dirs') {
                const inner = this.m + 1 + k;
                const p = set[inner];
                if (p === -1 || p > start) {
                    if (p === -1)
                        list.push(inner);
                    set[inner] = start;
                }
                k++;
                continue;
            }
            return;
        }
    }
    step(cur, curList, c, next, nextList) {
        const m = this.m;
        for (const s of curList) {
            const start = cur[s];
            if (s < m) {
                const t = this.tokens[s];
                switch (t.k) {
                    case 'lit':
                        if (c === t.c)
                            this.close(next, s + 1, start, nextList);
                        break;
                    case 'one':
                        if (!t.not.includes(c))
                            this.close(next, s + 1, start, nextList);
                        break;
                    case 'class':
                        if (classMatches(t, c))
                            this.close(next, s + 1, start, nextList);
                        break;
                    case 'star':
                        if (!t.not.includes(c))
                            this.close(next, s, start, nextList);
                        break;
                    case 'dirs':
                        break;
                    default: {
                        const never = t;
                        throw new Error(`unhandled glob token ${JSON.stringify(never)}`);
                    }
                }
            }
            else if (s === m) {
                if (this.tail && c === SLASH)
                    this.close(next, this.tailState, start, nextList);
            }
            else if (s === this.tailState) {
                if (c !== NEWLINE)
                    this.close(next, s, start, nextList);
            }
            else {
                const k = s - m - 1;
                if (c !== NEWLINE)
                    this.close(next, s, start, nextList);
                if (c === SLASH)
                    this.close(next, k + 1, start, nextList);
            }
        }
    }
    accepting(set) {
        const a = set[this.m];
        const b = this.tail ? set[this.tailState] : -1;
        if (a === -1)
            return b;
        if (b === -1)
            return a;
        return Math.min(a, b);
    }
    fresh() {
        return new Int32Array(this.size).fill(-1);
    }
    /** True when the whole of cps matches. */
    matchesCodePoints(cps) {
        let cur = this.fresh();
        let curList = [];
        this.close(cur, 0, 0, curList);
        for (const c of cps) {
            if (curList.length === 0)
                return false;
            const next = this.fresh();
            const nextList = [];
            this.step(cur, curList, c, next, nextList);
            cur = next;
            curList = nextList;
        }
        return this.accepting(cur) !== -1;
    }
    matches(s) {
        return this.matchesCodePoints(toCodePoints(s).cps);
    }
    /** True when some continuation of prefix (possibly empty) could make a full match. */
    couldMatchAfter(prefix) {
        let cur = this.fresh();
        let curList = [];
        this.close(cur, 0, 0, curList);
        for (const c of toCodePoints(prefix).cps) {
            if (curList.length === 0)
                return false;
            const next = this.fresh();
            const nextList = [];
            this.step(cur, curList, c, next, nextList);
            cur = next;
            curList = nextList;
        }
        return curList.length > 0;
    }
    /**
     * Ends e (from ≤ e ≤ cps.length) such that cps[from..e) matches, anchored at
     * from: the shortest and the longest, or undefined when none matches.
     */
    anchoredEnds(cps, from) {
        let cur = this.fresh();
        let curList = [];
        this.close(cur, 0, from, curList);
        let shortest = -1;
        let longest = -1;
        for (let i = from;; i++) {
            if (this.accepting(cur) !== -1) {
                if (shortest === -1)
                    shortest = i;
                longest = i;
            }
            if (i === cps.length || curList.length === 0)
                break;
            const next = this.fresh();
            const nextList = [];
            this.step(cur, curList, cps[i], next, nextList);
            cur = next;
            curList = nextList;
        }
        return shortest === -1 ? undefined : { shortest, longest };
    }
    /** The leftmost match at or after from, the longest one at that start: [start, end). */
    search(cps, from) {
        let cur = this.fresh();
        let curList = [];
        let bestStart = -1;
        let bestEnd = -1;
        for (let i = from;; i++) {
            if (bestStart === -1)
                this.close(cur, 0, i, curList);
            const acc = this.accepting(cur);
            if (acc !== -1) {
                if (bestStart === -1 || acc < bestStart) {
                    bestStart = acc;
                    bestEnd = i;
                }
                else if (acc === bestStart) {
                    bestEnd = i;
                }
            }
            if (i === cps.length)
                break;
            if (bestStart !== -1) {
                // Nothing alive that could still extend a match starting at bestStart.
                let alive = false;
                for (const s of curList)
                    if (cur[s] <= bestStart)
                        alive = true;
                if (!alive)
                    break;
            }
            const next = this.fresh();
            const nextList = [];
            this.step(cur, curList, cps[i], next, nextList);
            cur = next;
            curList = nextList;
        }
        return bestStart === -1 ? undefined : [bestStart, bestEnd];
    }
    /** The same pattern read backwards (for suffix trimming). */
    reversed() {
        if (this.tail || this.tokens.some((t) => t.k === 'dirs'))
            throw new Error('glob with ** cannot be reversed');
        return new Glob([...this.tokens].reverse(), false);
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/shell-pattern.ts
/**
 * The patterns of `${VAR#pat}`, `${VAR%pat}` and `${VAR/pat/rep}`, as
 * BuildKit's shell lexer reads them: `*` any run of characters, `?` one
 * character (neither matches a newline, as in Go regexps), `\*` `\?` `\\`
 * literal, `\}` and `\/` the brace and slash. No bracket expressions.
 */


const shell_pattern_NEWLINE = 0x0a;
const c = (s) => s.codePointAt(0);
const RBRACE = c('}');
const shell_pattern_SLASH = c('/');
const BACKSLASH = c('\\');
const shell_pattern_str = (ch) => String.fromCodePoint(ch);
/** Compiles a `#`/`%`/`/` pattern: `*` any run, `?` one character, `\*` `\?` `\\` literal. */
function compileShellPattern(pattern) {
    const tokens = [];
    const { cps } = toCodePoints(pattern);
    for (let i = 0; i < cps.length; i++) {
        const ch = cps[i];
        if (ch === c('*'))
            tokens.push({ k: 'star', not: [shell_pattern_NEWLINE] });
        else if (ch === c('?'))
            tokens.push({ k: 'one', not: [shell_pattern_NEWLINE] });
        else if (ch === BACKSLASH) {
            const n = cps[i + 1];
            // `\}` and `\/` protect the character inside ${}; the backslash is not part of the pattern.
            if (n === RBRACE || n === shell_pattern_SLASH)
                continue;
            if (n === c('*') || n === c('?') || n === BACKSLASH) {
                tokens.push({ k: 'lit', c: n });
                i++;
            }
            else {
                throw new ShellWordError(n === undefined ? 'invalid escape at the end of the pattern' : `invalid escape '\\${shell_pattern_str(n)}'`);
            }
        }
        else
            tokens.push({ k: 'lit', c: ch });
    }
    return new Glob(tokens);
}
/** Go's Regexp.Expand for a template without capture groups: `$$` → `$`, `$0`/`${0}` → the match. */
function expandTemplate(template, match) {
    let out = '';
    for (let i = 0; i < template.length; i++) {
        const ch = template[i];
        if (ch !== '$') {
            out += ch;
            continue;
        }
        if (template[i + 1] === '$') {
            out += '$';
            i++;
            continue;
        }
        let name = '';
        let end = i + 1;
        if (template[i + 1] === '{') {
            const close = template.indexOf('}', i + 2);
            name = close < 0 ? '' : template.slice(i + 2, close);
            end = close + 1;
            if (!/^\w+$/.test(name))
                name = '';
        }
        else {
            const m = /^\w+/.exec(template.slice(i + 1));
            name = m ? m[0] : '';
            end = i + 1 + name.length;
        }
        if (name === '') {
            out += '$';
            continue;
        }
        if (name === '0')
            out += match;
        i = end - 1;
    }
    return out;
}
/** Go's Regexp.ReplaceAllString with a leftmost-longest glob. */
function replaceAll(value, glob, replacement) {
    const { cps, offsets } = toCodePoints(value);
    let out = '';
    let lastEnd = 0;
    let searchPos = 0;
    while (searchPos <= cps.length) {
        const m = glob.search(cps, searchPos);
        if (!m)
            break;
        const [a, b] = m;
        out += value.slice(offsets[lastEnd], offsets[a]);
        if (b > lastEnd || a === 0)
            out += expandTemplate(replacement, value.slice(offsets[a], offsets[b]));
        lastEnd = b;
        searchPos = Math.max(searchPos + 1, b);
    }
    return out + value.slice(offsets[lastEnd]);
}
function patternOrError(pattern) {
    try {
        return compileShellPattern(pattern);
    }
    catch (err) {
        throw new ShellWordError(`invalid pattern (${pattern}) in substitution: ${err.message}`);
    }
}
/** `#`/`##` remove the shortest/longest matching prefix; `%`/`%%` the suffix. */
function trim(side, pattern, value, greedy) {
    const glob = patternOrError(pattern);
    const { cps, offsets } = toCodePoints(value);
    if (side === 'prefix') {
        const ends = glob.anchoredEnds(cps, 0);
        if (!ends)
            return value;
        return value.slice(offsets[greedy ? ends.longest : ends.shortest]);
    }
    const ends = glob.reversed().anchoredEnds([...cps].reverse(), 0);
    if (!ends)
        return value;
    const len = greedy ? ends.longest : ends.shortest;
    return value.slice(0, offsets[cps.length - len]);
}

;// CONCATENATED MODULE: ./src/dockerfile/shell-lex.ts
/**
 * Shell-word expansion with BuildKit's semantics (frontend/dockerfile/shell):
 * quotes, the escape token, `$VAR`, `${VAR}`, `${VAR:-w}` `${VAR-w}`
 * `${VAR:+w}` `${VAR+w}` `${VAR:?m}` `${VAR?m}`, `${VAR#p}` `${VAR##p}`
 * `${VAR%p}` `${VAR%%p}`, `${VAR/p/r}` `${VAR//p/r}`. A word can be expanded
 * to one string (processWord) or split into words after expansion
 * (processWords): unquoted expansion results split on white space, quoted
 * text never does.
 */



const EOF = -1;
const shell_lex_c = (s) => s.codePointAt(0);
const DOLLAR = shell_lex_c('$');
const SQUOTE = shell_lex_c("'");
const DQUOTE = shell_lex_c('"');
const LBRACE = shell_lex_c('{');
const shell_lex_RBRACE = shell_lex_c('}');
const COLON = shell_lex_c(':');
const shell_lex_SLASH = shell_lex_c('/');
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0'].map(shell_lex_c));
/** Go's unicode.IsSpace. */
function isSpaceCode(ch) {
    if (ch < 0x80)
        return ch === 0x20 || (ch >= 0x09 && ch <= 0x0d);
    return ch === 0x85 || ch === 0xa0 || (ch !== 0xfeff && /\s/u.test(String.fromCodePoint(ch)));
}
function isDigit(ch) {
    if (ch < 0x80)
        return ch >= 0x30 && ch <= 0x39;
    return /\p{Nd}/u.test(String.fromCodePoint(ch));
}
function isLetter(ch) {
    if (ch < 0x80)
        return (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a);
    return /\p{L}/u.test(String.fromCodePoint(ch));
}
const shell_lex_str = (ch) => (ch === EOF ? '' : String.fromCodePoint(ch));
/** Accumulates the split words of one expansion (BuildKit's wordsStruct). */
class Words {
    word = '';
    words = [];
    inWord = false;
    addChar(ch) {
        if (isSpaceCode(ch)) {
            if (this.inWord && this.word.length > 0) {
                this.words.push(this.word);
                this.word = '';
                this.inWord = false;
            }
        }
        else {
            this.addRawChar(ch);
        }
    }
    addRawChar(ch) {
        this.word += String.fromCodePoint(ch);
        this.inWord = true;
    }
    addString(s) {
        for (const ch of s)
            this.addChar(ch.codePointAt(0));
    }
    addRawString(s) {
        this.word += s;
        this.inWord = true;
    }
    get() {
        if (this.word.length > 0) {
            this.words.push(this.word);
            this.word = '';
            this.inWord = false;
        }
        return this.words;
    }
}
class shell_lex_ShellLex {
    escapeToken;
    options;
    src = '';
    pos = 0;
    env = new Map();
    rawEscapes = false;
    matched = new Set();
    unmatched = new Set();
    esc;
    constructor(escapeToken = '\\', options = {}) {
        this.escapeToken = escapeToken;
        this.options = options;
        this.esc = shell_lex_c(escapeToken);
    }
    /** The word expanded, quotes removed, as one string (spaces kept). */
    processWord(word, env) {
        return this.process(word, env).result;
    }
    /** The word expanded and split into words the way BuildKit splits them. */
    processWords(word, env) {
        return this.process(word, env).words;
    }
    process(word, env) {
        this.src = word;
        this.pos = 0;
        this.env = env;
        this.rawEscapes = this.options.rawEscapes ?? false;
        this.matched = new Set();
        this.unmatched = new Set();
        try {
            const [result, words] = this.processStopOn(EOF, this.rawEscapes);
            return { result, words, matched: this.matched, unmatched: this.unmatched };
        }
        catch (err) {
            if (err instanceof ShellWordError) {
                throw new ShellWordError(`failed to process ${JSON.stringify(word)}: ${err.message}`);
            }
            throw err;
        }
    }
    peek() {
        if (this.pos >= this.src.length)
            return EOF;
        return this.src.codePointAt(this.pos);
    }
    next() {
        if (this.pos >= this.src.length)
            return EOF;
        const ch = this.src.codePointAt(this.pos);
        this.pos += ch > 0xffff ? 2 : 1;
        return ch;
    }
    getEnv(name) {
        const v = this.env.get(name);
        if (v === undefined)
            this.unmatched.add(name);
        else
            this.matched.add(name);
        return v;
    }
    processStopOn(stop, rawEscapes) {
        const saved = this.rawEscapes;
        this.rawEscapes = rawEscapes;
        try {
            let result = '';
            const words = new Words();
            const quotes = !this.options.skipProcessQuotes;
            for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
                if (stop !== EOF && ch === stop) {
                    this.next();
                    return [result, words.get()];
                }
                if (ch === DOLLAR) {
                    const tmp = this.processDollar();
                    result += tmp;
                    words.addString(tmp);
                }
                else if (quotes && (ch === SQUOTE || ch === DQUOTE)) {
                    const tmp = ch === SQUOTE ? this.processSingleQuote() : this.processDoubleQuote();
                    result += tmp;
                    words.addRawString(tmp);
                }
                else {
                    let n = this.next();
                    if (n === this.esc) {
                        if (this.rawEscapes) {
                            words.addRawChar(n);
                            result += shell_lex_str(n);
                        }
                        // The escape token escapes the next character; at the very end it vanishes.
                        n = this.next();
                        if (n === EOF)
                            break;
                        words.addRawChar(n);
                    }
                    else {
                        words.addChar(n);
                    }
                    result += shell_lex_str(n);
                }
            }
            if (stop !== EOF) {
                throw new ShellWordError(`unexpected end of statement while looking for matching ${shell_lex_str(stop)}`);
            }
            return [result, words.get()];
        }
        finally {
            this.rawEscapes = saved;
        }
    }
    processSingleQuote() {
        // Everything up to the next ' is literal; a ' cannot be escaped inside.
        let result = '';
        const open = this.next();
        if (this.options.rawQuotes)
            result += shell_lex_str(open);
        for (;;) {
            const ch = this.next();
            if (ch === EOF)
                throw new ShellWordError('unexpected end of statement while looking for matching single-quote');
            if (ch === SQUOTE) {
                if (this.options.rawQuotes)
                    result += shell_lex_str(ch);
                return result;
            }
            result += shell_lex_str(ch);
        }
    }
    processDoubleQuote() {
        // Literal up to the next ", except $ expansions; the escape token escapes only " $ and itself.
        let result = '';
        const open = this.next();
        if (this.options.rawQuotes)
            result += shell_lex_str(open);
        for (;;) {
            const p = this.peek();
            if (p === EOF)
                throw new ShellWordError('unexpected end of statement while looking for matching double-quote');
            if (p === DQUOTE) {
                this.next();
                if (this.options.rawQuotes)
                    result += shell_lex_str(p);
                return result;
            }
            if (p === DOLLAR) {
                result += this.processDollar();
                continue;
            }
            let ch = this.next();
            if (ch === this.esc) {
                if (this.rawEscapes)
                    result += shell_lex_str(ch);
                const after = this.peek();
                if (after === EOF)
                    continue;
                if (after === DQUOTE || after === DOLLAR || after === this.esc)
                    ch = this.next();
            }
            result += shell_lex_str(ch);
        }
    }
    processName() {
        let name = '';
        for (let ch = this.peek(); ch !== EOF; ch = this.peek()) {
            if (name === '' && isDigit(ch)) {
                while (this.peek() !== EOF && isDigit(this.peek()))
                    name += shell_lex_str(this.next());
                return name;
            }
            if (name === '' && SPECIAL_PARAMS.has(ch))
                return shell_lex_str(this.next());
            if (!isLetter(ch) && !isDigit(ch) && ch !== shell_lex_c('_'))
                break;
            name += shell_lex_str(this.next());
        }
        return name;
    }
    processDollar() {
        this.next(); // $
        if (this.peek() !== LBRACE) {
            const name = this.processName();
            if (name === '')
                return '$';
            const v = this.getEnv(name);
            if (v === undefined && this.options.skipUnsetEnv)
                return `$${name}`;
            return v ?? '';
        }
        this.next(); // {
        const first = this.peek();
        if (first === EOF)
            throw new ShellWordError("syntax error: missing '}'");
        if (first === LBRACE || first === shell_lex_RBRACE || first === COLON) {
            throw new ShellWordError('syntax error: bad substitution');
        }
        const name = this.processName();
        let ch = this.next();
        let chs = shell_lex_str(ch);
        if (ch === shell_lex_RBRACE) {
            const v = this.getEnv(name);
            if (v === undefined && this.options.skipUnsetEnv)
                return `\${${name}}`;
            return v ?? '';
        }
        if (ch === shell_lex_SLASH)
            return this.processReplace(name);
        let nullIsUnset = false;
        if (ch === COLON) {
            nullIsUnset = true;
            ch = this.next();
            chs += shell_lex_str(ch);
        }
        else if (!'+-?#%'.includes(chs) || ch === EOF) {
            if (ch === EOF)
                throw new ShellWordError("syntax error: missing '}'");
            throw new ShellWordError(`unsupported modifier (${chs}) in substitution`);
        }
        const raw = ch === shell_lex_c('#') || ch === shell_lex_c('%');
        let word;
        try {
            [word] = this.processStopOn(shell_lex_RBRACE, raw);
        }
        catch (err) {
            if (err instanceof ShellWordError && this.peek() === EOF)
                throw new ShellWordError("syntax error: missing '}'");
            throw err;
        }
        const value = this.getEnv(name);
        if (value === undefined && this.options.skipUnsetEnv)
            return `\${${name}${chs}${word}}`;
        const unset = value === undefined || (nullIsUnset && value === '');
        switch (shell_lex_str(ch)) {
            case '-':
                return unset ? word : value;
            case '+':
                return unset ? '' : word;
            case '?':
                if (value === undefined)
                    throw new ShellWordError(`${name}: ${word || 'is not allowed to be unset'}`);
                if (unset)
                    throw new ShellWordError(`${name}: ${word || 'is not allowed to be empty'}`);
                return value;
            case '#':
            case '%': {
                const greedy = word.length > 0 && word[0] === shell_lex_str(ch);
                const pattern = greedy ? word.slice(1) : word;
                return trim(ch === shell_lex_c('%') ? 'suffix' : 'prefix', pattern, value ?? '', greedy);
            }
            default:
                throw new ShellWordError(`unsupported modifier (${chs}) in substitution`);
        }
    }
    processReplace(name) {
        const all = this.peek() === shell_lex_SLASH;
        if (all)
            this.next();
        let pattern;
        let replacement;
        try {
            [pattern] = this.processStopOn(shell_lex_SLASH, true);
        }
        catch (err) {
            if (err instanceof ShellWordError && this.peek() === EOF) {
                throw new ShellWordError("syntax error: missing '/' in $" + '{}');
            }
            throw err;
        }
        try {
            [replacement] = this.processStopOn(shell_lex_RBRACE, true);
        }
        catch (err) {
            if (err instanceof ShellWordError && this.peek() === EOF)
                throw new ShellWordError("syntax error: missing '}'");
            throw err;
        }
        const value = this.getEnv(name);
        if (value === undefined && this.options.skipUnsetEnv)
            return `\${${name}/${pattern}/${replacement}}`;
        const glob = patternOrError(pattern);
        const v = value ?? '';
        if (all)
            return replaceAll(v, glob, replacement);
        const { cps, offsets } = toCodePoints(v);
        const m = glob.search(cps, 0);
        if (!m)
            return v;
        return v.slice(0, offsets[m[0]]) + replacement + v.slice(offsets[m[1]]);
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/line-parsers.ts
/**
 * Per-instruction argument splitting, as BuildKit's parser does it before any
 * meaning is attached: flags (`--name=value`) off the front, then JSON (exec)
 * form, name=value pairs, white-space lists or the rest of the line as one
 * string. Quotes stay in the words here; expansion removes them later.
 */

/** A problem on one logical line; the parser adds file and line. */
class LineError extends Error {
    name = 'LineError';
}
/** BuildKit's reWhitespace: [\t\v\f\r ]+ */
const WS_SPLIT = /[\t\v\f\r ]+/;
function isBlankChar(code) {
    return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}
/** Go's strings.TrimSpace. */
function trimSpace(s) {
    let a = 0;
    let b = s.length;
    while (a < b && isSpaceCode(s.charCodeAt(a)))
        a++;
    while (b > a && isSpaceCode(s.charCodeAt(b - 1)))
        b--;
    return a === 0 && b === s.length ? s : s.slice(a, b);
}
/** Go's strings.TrimLeftFunc(s, unicode.IsSpace). */
function trimLeftSpace(s) {
    let a = 0;
    while (a < s.length && isSpaceCode(s.charCodeAt(a)))
        a++;
    return a === 0 ? s : s.slice(a);
}
/** Splits `RUN --mount=x echo hi` into the name, its flags and the rest. */
function splitCommand(line) {
    const t = trimSpace(line);
    let i = 0;
    while (i < t.length && !isBlankChar(t.charCodeAt(i)))
        i++;
    const cmd = t.slice(0, i);
    while (i < t.length && isBlankChar(t.charCodeAt(i)))
        i++;
    if (i >= t.length)
        return { cmd, flags: [], rest: '' };
    const { rest, flags } = extractBuilderFlags(t.slice(i));
    return { cmd, flags, rest: trimSpace(rest) };
}
/**
 * Takes the leading `--flag[=value]` words off a line. Quotes group and are
 * removed; a backslash escapes the next character (always `\`, whatever the
 * escape directive says). A bare `--` ends the flags.
 */
function extractBuilderFlags(line) {
    const flags = [];
    let phase = 'spaces';
    let word = '';
    let quote = '';
    let blankOK = false;
    for (let pos = 0; pos <= line.length; pos++) {
        const atEnd = pos === line.length;
        const ch = atEnd ? '' : line[pos];
        if (phase === 'spaces') {
            if (atEnd)
                break;
            if (isSpaceCode(ch.charCodeAt(0)))
                continue;
            if (ch !== '-' || line[pos + 1] !== '-')
                return { rest: line.slice(pos), flags };
            phase = 'word';
        }
        if (atEnd) {
            if (word !== '--' && (blankOK || word.length > 0))
                flags.push(word);
            break;
        }
        if (phase === 'word') {
            if (isSpaceCode(ch.charCodeAt(0))) {
                phase = 'spaces';
                if (word === '--')
                    return { rest: line.slice(pos), flags };
                if (blankOK || word.length > 0)
                    flags.push(word);
                word = '';
                blankOK = false;
                continue;
            }
            if (ch === "'" || ch === '"') {
                quote = ch;
                blankOK = true;
                phase = 'quote';
                continue;
            }
            if (ch === '\\') {
                if (pos + 1 === line.length)
                    continue;
                pos++;
                word += line[pos];
                continue;
            }
            word += ch;
            continue;
        }
        // In quotes.
        if (ch === quote) {
            phase = 'word';
            continue;
        }
        if (ch === '\\') {
            if (pos + 1 === line.length) {
                phase = 'word';
                continue;
            }
            pos++;
            word += line[pos];
            continue;
        }
        word += ch;
    }
    return { rest: '', flags };
}
/**
 * Splits on white space outside quotes, keeping quotes and escapes in the
 * words (they are removed at expansion). BuildKit's parseWords.
 */
function parseWords(rest, escapeToken) {
    const words = [];
    let phase = 'spaces';
    let word = '';
    let quote = '';
    let blankOK = false;
    // Code units are enough: every character that matters here is ASCII and
    // surrogate halves are never white space, quotes or escape tokens.
    for (let pos = 0; pos <= rest.length; pos++) {
        const atEnd = pos === rest.length;
        let ch = atEnd ? '' : rest[pos];
        if (phase === 'spaces') {
            if (atEnd)
                break;
            if (isSpaceCode(ch.charCodeAt(0)))
                continue;
            phase = 'word';
        }
        if (atEnd) {
            if (blankOK || word.length > 0)
                words.push(word);
            break;
        }
        if (phase === 'word') {
            if (isSpaceCode(ch.charCodeAt(0))) {
                phase = 'spaces';
                if (blankOK || word.length > 0)
                    words.push(word);
                word = '';
                blankOK = false;
                continue;
            }
            if (ch === "'" || ch === '"') {
                quote = ch;
                blankOK = true;
                phase = 'quote';
            }
            if (ch === escapeToken) {
                if (pos + 1 === rest.length)
                    continue; // an escape token at the end of the line is dropped
                word += ch;
                pos++;
                ch = rest[pos];
            }
            word += ch;
            continue;
        }
        // In quotes.
        if (ch === quote)
            phase = 'word';
        if (ch === escapeToken && quote !== "'") {
            if (pos + 1 === rest.length) {
                phase = 'word';
                continue;
            }
            word += ch;
            pos++;
            ch = rest[pos];
        }
        word += ch;
    }
    return words;
}
/** ENV/LABEL: `KEY value...` (legacy, one pair) or `K1=v1 K2="v 2"`; returns [k1, v1, k2, v2, ...]. */
function parseNameVal(rest, instruction, escapeToken) {
    const words = parseWords(rest, escapeToken);
    if (words.length === 0)
        return [];
    if (!words[0].includes('=')) {
        const m = WS_SPLIT.exec(rest);
        if (!m)
            throw new LineError(`${instruction} must have two arguments (${instruction} KEY=value)`);
        return [rest.slice(0, m.index), rest.slice(m.index + m[0].length)];
    }
    const out = [];
    for (const word of words) {
        const eq = word.indexOf('=');
        if (eq < 0) {
            throw new LineError(`syntax error: can't find = in ${JSON.stringify(word)}; write ${instruction} name=value pairs`);
        }
        out.push(word.slice(0, eq), word.slice(eq + 1));
    }
    return out;
}
/** A JSON array of strings, or undefined when rest is not JSON (then it is shell form). */
function parseJSON(rest) {
    const t = trimLeftSpace(rest);
    if (!t.startsWith('['))
        return undefined;
    let parsed;
    try {
        parsed = JSON.parse(t);
    }
    catch {
        return undefined;
    }
    if (!Array.isArray(parsed))
        return undefined;
    if (!parsed.every((x) => typeof x === 'string')) {
        throw new LineError('when using JSON array syntax, arrays must be comprised of strings only');
    }
    return parsed;
}
/** RUN/CMD/ENTRYPOINT/SHELL: a JSON array, or the whole rest as one shell command. */
function parseMaybeJSON(rest) {
    if (rest === '')
        return { args: [], json: false };
    const json = parseJSON(rest);
    if (json)
        return { args: json, json: true };
    return { args: [rest], json: false };
}
/** COPY/ADD/VOLUME: a JSON array, or words split on white space (quotes do not group). */
function parseMaybeJSONToList(rest) {
    const json = parseJSON(rest);
    if (json)
        return { args: json, json: true };
    return { args: splitWhitespace(rest), json: false };
}
function splitWhitespace(rest) {
    return rest === '' ? [] : rest.split(WS_SPLIT);
}
/** HEALTHCHECK: the type (CMD/NONE) then a command in either form. */
function parseHealthConfig(rest) {
    let sep = 0;
    while (sep < rest.length && !isSpaceCode(rest.charCodeAt(sep)))
        sep++;
    if (sep === 0)
        return { args: [], json: false };
    let next = sep;
    while (next < rest.length && isSpaceCode(rest.charCodeAt(next)))
        next++;
    const cmd = parseMaybeJSON(rest.slice(next));
    return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
}
const HEREDOC_WORD_LEX = new shell_lex_ShellLex('\\', { skipUnsetEnv: true });
const HEREDOC_WORD_LEX_RAW = new shell_lex_ShellLex('\\', { skipUnsetEnv: true, rawQuotes: true });
const HEREDOC_LINE_LEX = new shell_lex_ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
const NO_ENV = new Map();
/**
 * Recognises one word as a heredoc marker: `[fd]<<[-]WORD`. A delimiter with
 * any quoted part (`<<"EOF"`, `<<'EOF'`, `<<E"O"F`) disables expansion.
 */
function parseHeredocWord(src) {
    let i = 0;
    while (i < src.length && src.charCodeAt(i) >= 0x30 && src.charCodeAt(i) <= 0x39)
        i++;
    const fdText = src.slice(0, i);
    if (!src.startsWith('<<', i))
        return undefined;
    i += 2;
    let chomp = false;
    if (src[i] === '-') {
        chomp = true;
        i++;
    }
    while (i < src.length && ' \t\n\f\r'.includes(src[i]))
        i++;
    const rest = src.slice(i);
    if (rest.length === 0 || rest.includes('<'))
        return undefined;
    let words;
    let raw;
    try {
        words = HEREDOC_WORD_LEX.processWords(rest, NO_ENV);
        if (words.length !== 1)
            return undefined;
        raw = HEREDOC_WORD_LEX_RAW.processWords(rest, NO_ENV);
    }
    catch (err) {
        throw new LineError(err.message);
    }
    if (raw.length !== words.length) {
        throw new LineError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
    }
    const quotes = (w) => w.split("'").length + w.split('"').length - 2;
    const marker = { name: words[0], chomp, expand: quotes(words[0]) === quotes(raw[0]) };
    if (fdText !== '')
        marker.fd = Number(fdText);
    return marker;
}
/** The heredoc markers on a RUN/COPY/ADD line, in order. */
function heredocsFromLine(line) {
    let words;
    try {
        words = HEREDOC_LINE_LEX.processWords(line, NO_ENV);
    }
    catch {
        return [];
    }
    const out = [];
    for (const w of words) {
        const m = parseHeredocWord(w);
        if (m)
            out.push(m);
    }
    return out;
}
/** `<<-`: strips leading tabs from every line of a heredoc body. */
function chompHeredocContent(content) {
    return content
        .split('\n')
        .map((line) => line.replace(/^\t+/, ''))
        .join('\n');
}

;// CONCATENATED MODULE: ./src/dockerfile/healthcheck.ts
/** HEALTHCHECK options: Go durations (`30s`, `1m30s`, `500ms`) in nanoseconds, retries. */

const UNITS = {
    ns: 1n,
    us: 1000n,
    µs: 1000n, // U+00B5
    μs: 1000n, // U+03BC
    ms: 1000000n,
    s: 1000000000n,
    m: 60000000000n,
    h: 3600000000000n,
};
const MAX_INT64 = (1n << 63n) - 1n;
/** Go's time.ParseDuration, in nanoseconds. */
function parseGoDuration(text) {
    const invalid = () => new LineError(`time: invalid duration ${JSON.stringify(text)}`);
    let s = text;
    let neg = false;
    if (s[0] === '-' || s[0] === '+') {
        neg = s[0] === '-';
        s = s.slice(1);
    }
    if (s === '0')
        return 0;
    if (s === '')
        throw invalid();
    let total = 0n;
    while (s !== '') {
        const m = /^(\d*)(?:\.(\d*))?/.exec(s);
        const whole = m[1];
        const frac = m[2];
        if (whole === '' && (frac === undefined || frac === ''))
            throw invalid();
        s = s.slice(m[0].length);
        let u = 0;
        while (u < s.length && s[u] !== '.' && !(s[u] >= '0' && s[u] <= '9'))
            u++;
        const unitText = s.slice(0, u);
        if (unitText === '')
            throw new LineError(`time: missing unit in duration ${JSON.stringify(text)}`);
        const unit = UNITS[unitText];
        if (unit === undefined) {
            throw new LineError(`time: unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(text)}`);
        }
        s = s.slice(u);
        let v = BigInt(whole === '' ? '0' : whole) * unit;
        if (frac)
            v += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
        total += v;
        if (total > MAX_INT64)
            throw invalid();
    }
    const ns = neg ? -total : total;
    if (ns > BigInt(Number.MAX_SAFE_INTEGER) || ns < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new LineError(`duration ${JSON.stringify(text)} is too long (at most about 104 days)`);
    }
    return Number(ns);
}
const MIN_INTERVAL_NS = 1_000_000;
/** An optional interval flag: unset or 0 mean "not set"; otherwise at least 1ms. */
function parseInterval(flag, value) {
    if (value === undefined || value === '')
        return undefined;
    const ns = parseGoDuration(value);
    if (ns === 0)
        return undefined;
    if (ns < MIN_INTERVAL_NS)
        throw new LineError(`Interval "${flag}" cannot be less than 1ms`);
    return ns;
}
/** --retries: a 32-bit integer, not negative. */
function parseRetries(value) {
    if (value === undefined || value === '')
        return undefined;
    if (!/^[+-]?\d+$/.test(value)) {
        throw new LineError(`--retries: parsing ${JSON.stringify(value)}: invalid syntax (expected a whole number)`);
    }
    const n = Number(value);
    if (n > 2 ** 31 - 1 || n < -(2 ** 31)) {
        throw new LineError(`--retries: parsing ${JSON.stringify(value)}: value out of range`);
    }
    if (n < 0)
        throw new LineError(`--retries cannot be negative (${n})`);
    return n;
}

;// CONCATENATED MODULE: ./src/dockerfile/instruction-flags.ts
/**
 * Instruction flags (`COPY --from=build --link`), checked the way BuildKit's
 * BFlags does: only declared flags, a value for string flags, true/false for
 * boolean ones, repeats only for list flags.
 */

class Flags {
    values;
    constructor(values) {
        this.values = values;
    }
    bool(name) {
        return this.values.get(name);
    }
    string(name) {
        return this.values.get(name);
    }
    strings(name) {
        return this.values.get(name) ?? [];
    }
}
const NO_FLAGS = new Flags(new Map());
function parseInstructionFlags(flags, specs, instruction) {
    if (flags.length === 0)
        return NO_FLAGS;
    const values = new Map();
    for (const raw of flags) {
        const body = raw.slice(2);
        const eq = body.indexOf('=');
        const name = eq >= 0 ? body.slice(0, eq) : body;
        const value = eq >= 0 ? body.slice(eq + 1) : undefined;
        const kind = specs[name];
        if (!kind) {
            const allowed = Object.keys(specs).map((f) => `--${f}`);
            throw new LineError(`unknown flag --${name} for ${instruction}` +
                (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${instruction} takes no flags)`));
        }
        if (values.has(name) && kind !== 'strings')
            throw new LineError(`duplicate flag specified: --${name}`);
        switch (kind) {
            case 'bool': {
                if (value === '')
                    throw new LineError(`missing a value on flag --${name} (use --${name} or --${name}=true)`);
                const lower = value?.toLowerCase() ?? 'true';
                if (lower !== 'true' && lower !== 'false') {
                    throw new LineError(`expecting boolean value for flag --${name}, not: ${value}`);
                }
                values.set(name, lower === 'true');
                break;
            }
            case 'string':
                if (value === undefined)
                    throw new LineError(`missing a value on flag --${name} (write --${name}=value)`);
                values.set(name, value);
                break;
            case 'strings':
                if (value === undefined)
                    throw new LineError(`missing a value on flag --${name} (write --${name}=value)`);
                values.set(name, [...(values.get(name) ?? []), value]);
                break;
            default: {
                const never = kind;
                throw new Error(`unhandled flag kind ${String(never)}`);
            }
        }
    }
    return new Flags(values);
}

;// CONCATENATED MODULE: ./src/dockerfile/run-mount.ts

const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const MOUNT_KEYS = new Set([
    'type',
    'from',
    'source',
    'src',
    'target',
    'dst',
    'destination',
    'readonly',
    'ro',
    'readwrite',
    'rw',
    'required',
    'id',
    'sharing',
    'mode',
    'uid',
    'gid',
    'env',
    'size',
]);
/** Splits a CSV record (double quotes group, `""` inside quotes is a quote). */
function csvFields(text) {
    const fields = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (quoted) {
            if (ch === '"' && text[i + 1] === '"') {
                field += '"';
                i++;
            }
            else if (ch === '"')
                quoted = false;
            else
                field += ch;
        }
        else if (ch === '"' && field === '')
            quoted = true;
        else if (ch === ',') {
            fields.push(field);
            field = '';
        }
        else
            field += ch;
    }
    if (quoted)
        throw new LineError(`--mount=${text}: unterminated quote`);
    fields.push(field);
    return fields;
}
function run_mount_parseBool(text, field) {
    const t = text.toLowerCase();
    if (['1', 't', 'true'].includes(t))
        return true;
    if (['0', 'f', 'false'].includes(t))
        return false;
    throw new LineError(`invalid value for ${field}: expected true or false`);
}
function parseRunMount(value) {
    let type = 'bind';
    let readonly;
    const options = {};
    const mount = { options };
    for (const field of csvFields(value)) {
        if (field === '')
            continue;
        const eq = field.indexOf('=');
        const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
        if (eq < 0) {
            if (key === 'readonly' || key === 'ro')
                readonly = true;
            else if (key === 'readwrite' || key === 'rw')
                readonly = false;
            else if (key === 'required')
                options.required = 'true';
            else
                throw new LineError(`invalid field '${field}' in --mount: it must be a key=value pair`);
            continue;
        }
        const v = field.slice(eq + 1);
        if (!MOUNT_KEYS.has(key))
            throw new LineError(`unexpected key '${key}' in '${field}' of --mount`);
        options[key] = v;
        switch (key) {
            case 'type': {
                const t = v.toLowerCase();
                if (!MOUNT_TYPES.includes(t)) {
                    throw new LineError(`unsupported mount type ${JSON.stringify(v)} (use ${MOUNT_TYPES.join(', ')})`);
                }
                type = t;
                break;
            }
            case 'from':
                mount.from = v;
                break;
            case 'source':
            case 'src':
                mount.source = v;
                break;
            case 'target':
            case 'dst':
            case 'destination':
                mount.target = v;
                break;
            case 'readonly':
            case 'ro':
                readonly = run_mount_parseBool(v, key);
                break;
            case 'readwrite':
            case 'rw':
                readonly = !run_mount_parseBool(v, key);
                break;
            default:
                break;
        }
    }
    if (!mount.target && (type === 'bind' || type === 'cache' || type === 'tmpfs')) {
        throw new LineError(`--mount type=${type} needs a target (target=/path)`);
    }
    if (type === 'secret' && mount.from !== undefined)
        throw new LineError('secret mount should not have a from');
    readonly ??= !(type === 'cache' || type === 'tmpfs');
    return { type, readonly, ...mount };
}
function parseNetwork(value) {
    if (value === undefined)
        return undefined;
    if (value === 'default' || value === 'none' || value === 'host')
        return value;
    throw new LineError(`unsupported network mode ${JSON.stringify(value)} (use default, none or host)`);
}
function parseSecurity(value) {
    if (value === undefined)
        return undefined;
    if (value === 'sandbox' || value === 'insecure')
        return value;
    throw new LineError(`unsupported security mode ${JSON.stringify(value)} (use sandbox or insecure)`);
}

;// CONCATENATED MODULE: ./src/dockerfile/instruction-parser.ts





const KNOWN = [
    'ADD',
    'ARG',
    'CMD',
    'COPY',
    'ENTRYPOINT',
    'ENV',
    'EXPOSE',
    'FROM',
    'HEALTHCHECK',
    'LABEL',
    'MAINTAINER',
    'ONBUILD',
    'RUN',
    'SHELL',
    'STOPSIGNAL',
    'USER',
    'VOLUME',
    'WORKDIR',
];
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
/** Edit distance with adjacent transpositions (optimal string alignment). */
function editDistance(a, b) {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
                v = Math.min(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
        }
    }
    return d[a.length][b.length];
}
/** ` (did you mean X?)` when a name is close to one of the candidates. */
function suggestion(name, candidates) {
    if (name.length > 64)
        return '';
    let best;
    let bestD = Number.POSITIVE_INFINITY;
    for (const c of candidates) {
        const d = editDistance(name.toLowerCase(), c.toLowerCase());
        if (d < bestD) {
            best = c;
            bestD = d;
        }
    }
    return best && bestD > 0 && bestD <= (name.length >= 5 ? 2 : 1) ? ` (did you mean ${best}?)` : '';
}
const exactlyOne = (name) => new LineError(`${name} requires exactly one argument`);
const atLeastOne = (name) => new LineError(`${name} requires at least one argument`);
function commandLine(node) {
    if (node.json)
        return { form: 'exec', args: node.args };
    return { form: 'shell', command: node.args.join(' ') };
}
function pairs(node, name) {
    parseInstructionFlags(node.flags, {}, name);
    if (node.args.length === 0)
        throw atLeastOne(name);
    if (node.args.length % 2 !== 0)
        throw new LineError(`bad input to ${name}, too many arguments`);
    const out = [];
    for (let i = 0; i < node.args.length; i += 2) {
        if (node.args[i] === '')
            throw new LineError(`${name} names can not be blank`);
        out.push({ key: node.args[i], value: node.args[i + 1] });
    }
    return out;
}
function heredocMarker(word) {
    try {
        return parseHeredocWord(word);
    }
    catch {
        return undefined;
    }
}
function sourcesAndDest(node, name) {
    const dest = node.args[node.args.length - 1];
    if (heredocMarker(dest))
        throw new LineError(`${name} cannot accept a heredoc as a destination`);
    const bodies = new Map(node.heredocs.map((h) => [h.name, h.content]));
    const sources = [];
    const sourceContents = [];
    for (const src of node.args.slice(0, -1)) {
        const marker = heredocMarker(src);
        if (!marker) {
            sources.push(src);
            continue;
        }
        let data = bodies.get(marker.name) ?? '';
        if (marker.chomp)
            data = chompHeredocContent(data);
        sourceContents.push({ path: marker.name, data, expand: marker.expand });
    }
    return { sources, sourceContents, dest };
}
function optional(key, value) {
    return (value === undefined ? {} : { [key]: value });
}
const NO_FLAG_SPECS = {};
const COPY_FLAGS = {
    from: 'string',
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    parents: 'bool',
    exclude: 'strings',
};
const ADD_FLAGS = {
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    exclude: 'strings',
    checksum: 'string',
    'keep-git-dir': 'bool',
    unpack: 'bool',
};
const RUN_FLAGS = { mount: 'strings', network: 'string', security: 'string' };
const HEALTHCHECK_FLAGS = {
    interval: 'string',
    timeout: 'string',
    'start-period': 'string',
    'start-interval': 'string',
    retries: 'string',
};
function typed(node, location) {
    const base = { location, original: trimSpace(node.original) };
    const NAME = node.keyword.toUpperCase();
    switch (node.keyword) {
        case 'from': {
            const a = node.args;
            let stageName;
            if (a.length === 3 && a[1].toLowerCase() === 'as') {
                stageName = a[2].toLowerCase();
                if (!STAGE_NAME.test(stageName)) {
                    throw new LineError(`invalid name for build stage: ${JSON.stringify(a[2])}, name can't start with a number or contain symbols`);
                }
            }
            else if (a.length !== 1) {
                throw new LineError('FROM requires either one or three arguments (FROM image [AS name])');
            }
            const flags = parseInstructionFlags(node.flags, { platform: 'string' }, NAME);
            return {
                kind: 'from',
                ...base,
                image: a[0],
                ...optional('stageName', stageName),
                ...optional('platform', flags.string('platform')),
            };
        }
        case 'run': {
            const flags = parseInstructionFlags(node.flags, RUN_FLAGS, NAME);
            return {
                kind: 'run',
                ...base,
                command: commandLine(node),
                heredocs: node.heredocs,
                mounts: flags.strings('mount').map(parseRunMount),
                ...optional('network', parseNetwork(flags.string('network'))),
                ...optional('security', parseSecurity(flags.string('security'))),
            };
        }
        case 'cmd':
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            return { kind: 'cmd', ...base, command: commandLine(node) };
        case 'entrypoint':
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            return { kind: 'entrypoint', ...base, command: commandLine(node) };
        case 'shell':
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            if (node.args.length === 0)
                throw atLeastOne(NAME);
            if (!node.json)
                throw new LineError('SHELL requires the arguments to be in JSON form: SHELL ["executable", "param"]');
            return { kind: 'shell', ...base, shell: node.args };
        case 'env':
            return { kind: 'env', ...base, pairs: pairs(node, NAME) };
        case 'label':
            return { kind: 'label', ...base, pairs: pairs(node, NAME) };
        case 'arg': {
            // BuildKit does not check ARG's flags.
            if (node.args.length === 0)
                throw atLeastOne(NAME);
            const args = node.args.map((word) => {
                const eq = word.indexOf('=');
                if (eq < 0)
                    return { name: word };
                if (eq === 0)
                    throw new LineError('ARG names can not be blank');
                return { name: word.slice(0, eq), defaultValue: word.slice(eq + 1) };
            });
            return { kind: 'arg', ...base, args };
        }
        case 'expose':
            if (node.args.length === 0)
                throw atLeastOne(NAME);
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            return { kind: 'expose', ...base, ports: [...node.args].sort() };
        case 'copy':
        case 'add': {
            if (node.args.length < 2) {
                throw new LineError(`${NAME} requires at least two arguments, but only ${node.args.length === 1 ? 'one was' : 'none were'} provided. Destination could not be determined`);
            }
            const flags = parseInstructionFlags(node.flags, node.keyword === 'copy' ? COPY_FLAGS : ADD_FLAGS, NAME);
            const common = {
                ...base,
                ...sourcesAndDest(node, NAME),
                ...optional('chown', flags.string('chown')),
                ...optional('chmod', flags.string('chmod')),
                link: flags.bool('link') ?? false,
                exclude: flags.strings('exclude'),
            };
            if (node.keyword === 'copy') {
                const copy = {
                    kind: 'copy',
                    ...common,
                    ...optional('from', flags.string('from')),
                    parents: flags.bool('parents') ?? false,
                };
                return copy;
            }
            const add = {
                kind: 'add',
                ...common,
                ...optional('checksum', flags.string('checksum')),
                keepGitDir: flags.bool('keep-git-dir') ?? false,
                ...optional('unpack', flags.bool('unpack')),
            };
            return add;
        }
        case 'maintainer':
            if (node.args.length !== 1)
                throw exactlyOne(NAME);
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            return { kind: 'maintainer', ...base, maintainer: node.args[0] };
        case 'user':
            if (node.args.length !== 1)
                throw exactlyOne(NAME);
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            return { kind: 'user', ...base, user: node.args[0] };
        case 'workdir':
            if (node.args.length !== 1)
                throw exactlyOne(NAME);
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            return { kind: 'workdir', ...base, path: node.args[0] };
        case 'volume': {
            if (node.args.length === 0)
                throw atLeastOne(NAME);
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            const volumes = node.args.map((v) => trimSpace(v));
            if (volumes.some((v) => v === ''))
                throw new LineError('VOLUME specified can not be an empty string');
            return { kind: 'volume', ...base, volumes };
        }
        case 'stopsignal':
            // BuildKit does not check STOPSIGNAL's flags.
            if (node.args.length !== 1)
                throw exactlyOne(NAME);
            return { kind: 'stopsignal', ...base, signal: node.args[0] };
        case 'healthcheck':
            return { kind: 'healthcheck', ...base, health: healthConfig(node) };
        case 'onbuild': {
            if (node.args.length === 0)
                throw atLeastOne(NAME);
            parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
            const trigger = trimSpace(node.args[0]).toUpperCase();
            if (trigger === 'ONBUILD')
                throw new LineError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            if (trigger === 'MAINTAINER' || trigger === 'FROM') {
                throw new LineError(`${trigger} isn't allowed as an ONBUILD trigger`);
            }
            let expression = node.original.replace(/^[\t\n\f\r ]*onbuild[\t\n\f\r ]*/i, '');
            for (const h of node.heredocs)
                expression += `\n${h.content}${h.name}`;
            return { kind: 'onbuild', ...base, expression, trigger };
        }
        default:
            throw new LineError(`unknown instruction ${JSON.stringify(node.keywordAsWritten)}${suggestion(node.keyword, KNOWN)}`);
    }
}
function healthConfig(node) {
    if (node.args.length === 0)
        throw atLeastOne('HEALTHCHECK');
    let typ = node.args[0].toUpperCase();
    const rest = node.args.slice(1);
    if (typ === 'NONE') {
        // Like BuildKit, HEALTHCHECK NONE does not look at flags.
        if (rest.length !== 0)
            throw new LineError('HEALTHCHECK NONE takes no arguments');
        return { Test: ['NONE'] };
    }
    const flags = parseInstructionFlags(node.flags, HEALTHCHECK_FLAGS, 'HEALTHCHECK');
    if (typ !== 'CMD')
        throw new LineError(`Unknown type ${JSON.stringify(typ)} in HEALTHCHECK (try CMD)`);
    const cmd = node.json ? rest : rest.length ? [rest.join(' ')] : [];
    if (cmd.length === 0)
        throw new LineError('Missing command after HEALTHCHECK CMD');
    if (!node.json)
        typ = 'CMD-SHELL';
    const health = { Test: [typ, ...cmd] };
    const interval = parseInterval('interval', flags.string('interval'));
    const timeout = parseInterval('timeout', flags.string('timeout'));
    const startPeriod = parseInterval('start-period', flags.string('start-period'));
    const startInterval = parseInterval('start-interval', flags.string('start-interval'));
    const retries = parseRetries(flags.string('retries'));
    if (interval !== undefined)
        health.Interval = interval;
    if (timeout !== undefined)
        health.Timeout = timeout;
    if (startPeriod !== undefined)
        health.StartPeriod = startPeriod;
    if (startInterval !== undefined)
        health.StartInterval = startInterval;
    if (retries)
        health.Retries = retries;
    return health;
}
/** Types one node; a problem becomes a DockerfileError at the node's lines. */
function typeNode(node, file) {
    const location = { file, startLine: node.startLine, endLine: node.endLine };
    try {
        return typed(node, location);
    }
    catch (err) {
        if (err instanceof LineError)
            throw DockerfileError.at(location, err.message);
        throw err;
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/parser.ts
/**
 * Dockerfile text → nodes, with no meaning attached (BuildKit's
 * frontend/dockerfile/parser): parser directives, comments, line
 * continuations (comment and empty lines inside them are skipped), flags,
 * JSON vs shell form, heredoc bodies, the byte order mark and BuildKit's
 * maximum line length. Instruction names are matched case-insensitively.
 */



/** BuildKit reads lines with a 64 KiB buffer: a longer line is an error. */
const MAX_LINE_BYTES = 65535;
const single = (rest) => ({ args: rest === '' ? [] : [rest], json: false });
const LINE_PARSERS = {
    add: parseMaybeJSONToList,
    arg: (rest, esc) => ({ args: parseWords(rest, esc), json: false }),
    cmd: parseMaybeJSON,
    copy: parseMaybeJSONToList,
    entrypoint: parseMaybeJSON,
    env: (rest, esc) => ({ args: parseNameVal(rest, 'ENV', esc), json: false }),
    expose: (rest) => ({ args: splitWhitespace(rest), json: false }),
    from: (rest) => ({ args: splitWhitespace(rest), json: false }),
    healthcheck: parseHealthConfig,
    label: (rest, esc) => ({ args: parseNameVal(rest, 'LABEL', esc), json: false }),
    maintainer: single,
    run: parseMaybeJSON,
    shell: parseMaybeJSON,
    stopsignal: single,
    user: single,
    volume: parseMaybeJSONToList,
    workdir: single,
};
const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);
/** Builds the node of one logical line (no location yet). */
function nodeFromLine(line, escapeToken) {
    const { cmd, flags, rest } = splitCommand(line);
    const keyword = cmd.toLowerCase();
    const node = {
        keyword,
        keywordAsWritten: cmd,
        original: line,
        flags,
        args: [],
        json: false,
        heredocs: [],
        startLine: 0,
        endLine: 0,
    };
    if (keyword === 'onbuild') {
        if (rest !== '') {
            node.sub = nodeFromLine(rest, escapeToken);
            node.args = [node.sub.keywordAsWritten];
        }
        return node;
    }
    const parse = LINE_PARSERS[keyword];
    if (parse) {
        const { args, json } = parse(rest, escapeToken);
        node.args = args;
        node.json = json;
    }
    return node;
}
function canContainHeredoc(node) {
    const n = node.keyword === 'onbuild' && node.sub ? node.sub : node;
    return HEREDOC_KEYWORDS.has(n.keyword) && !n.json;
}
/** Physical lines of the text; `take()` returns a line without its '\n' and whether it had one. */
class Lines {
    text;
    file;
    pos = 0;
    line = 0;
    constructor(text, file) {
        this.text = text;
        this.file = file;
    }
    take() {
        if (this.pos >= this.text.length)
            return undefined;
        const nl = this.text.indexOf('\n', this.pos);
        const end = nl < 0 ? this.text.length : nl;
        let text = this.text.slice(this.pos, end);
        this.pos = end + 1;
        this.line++;
        if (this.line === 1 && text.charCodeAt(0) === 0xfeff)
            text = text.slice(1);
        if (text.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(text, 'utf8') > MAX_LINE_BYTES) {
            throw new DockerfileError(this.file, this.line, `line is longer than the maximum of ${MAX_LINE_BYTES} bytes; split it with line continuations`);
        }
        return { text, newline: nl >= 0 };
    }
}
/** Go's bytes.TrimRight(line, "\r\n"). */
function trimNewline(s) {
    let b = s.length;
    while (b > 0 && (s.charCodeAt(b - 1) === 0x0d || s.charCodeAt(b - 1) === 0x0a))
        b--;
    return b === s.length ? s : s.slice(0, b);
}
function isGoSpace(ch) {
    return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r';
}
/** `# name = value` at the top of the file; undefined when the line is not one. */
function matchDirective(line) {
    if (line[0] !== '#')
        return undefined;
    let i = 1;
    while (i < line.length && isGoSpace(line[i]))
        i++;
    const start = i;
    if (!/[a-zA-Z]/.test(line[i] ?? ''))
        return undefined;
    while (i < line.length && /[a-zA-Z0-9]/.test(line[i]))
        i++;
    const name = line.slice(start, i);
    while (i < line.length && isGoSpace(line[i]))
        i++;
    if (line[i] !== '=')
        return undefined;
    i++;
    while (i < line.length && isGoSpace(line[i]))
        i++;
    let end = line.length;
    while (end > i && isGoSpace(line[end - 1]))
        end--;
    if (end <= i)
        return undefined;
    return { name, value: line.slice(i, end) };
}
/**
 * A line ending in the escape token (plus blanks) continues on the next
 * line, unless the escape token is itself escaped. Returns the line without
 * it and whether the instruction ends here.
 */
function trimContinuation(line, esc) {
    let end = line.length;
    while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t'))
        end--;
    if (end === 0 || line[end - 1] !== esc)
        return [line, true];
    if (end >= 2 && line[end - 2] === esc)
        return [line, true];
    return [line.slice(0, end - 1), false];
}
function isCommentLine(line) {
    return trimLeftSpace(trimNewline(line)).startsWith('#');
}
/** Parses Dockerfile text into nodes. Throws DockerfileError naming file and line. */
function parseNodes(text, file) {
    const lines = new Lines(text, file);
    let escapeToken = '\\';
    let directivesDone = false;
    const directives = [];
    const nodes = [];
    const warnings = [];
    for (let phys = lines.take(); phys !== undefined; phys = lines.take()) {
        let line = trimLeftSpace(trimNewline(phys.text));
        if (!directivesDone) {
            const d = matchDirective(line);
            const name = d?.name.toLowerCase();
            if (d && (name === 'syntax' || name === 'escape' || name === 'check')) {
                if (directives.some((x) => x.name === name)) {
                    throw new DockerfileError(file, lines.line, `only one ${name} parser directive can be used`);
                }
                if (name === 'escape') {
                    if (d.value !== '\\' && d.value !== '`') {
                        throw new DockerfileError(file, lines.line, `invalid escape token '${d.value}' does not match \` or \\`);
                    }
                    escapeToken = d.value;
                }
                directives.push({ name, value: d.value, line: lines.line });
            }
            else {
                directivesDone = true;
            }
        }
        if (line.startsWith('#'))
            line = '';
        const startLine = lines.line;
        let [logical, ended] = trimContinuation(line, escapeToken);
        if (ended && logical === '')
            continue;
        let emptyContinuation = false;
        while (!ended) {
            const next = lines.take();
            if (next === undefined)
                break;
            if (isCommentLine(next.text))
                continue;
            const part = trimNewline(next.text);
            if (trimLeftSpace(part) === '') {
                emptyContinuation = true;
                continue;
            }
            const [piece, end] = trimContinuation(part, escapeToken);
            logical += piece;
            ended = end;
        }
        if (emptyContinuation) {
            warnings.push({
                file,
                line: startLine,
                message: 'empty continuation line (BuildKit warns; it will become an error): remove the blank line',
            });
        }
        let node;
        try {
            node = nodeFromLine(logical, escapeToken);
        }
        catch (err) {
            if (err instanceof LineError)
                throw new DockerfileError(file, startLine, err.message, lines.line);
            throw err;
        }
        if (logical.includes('<<') && canContainHeredoc(node)) {
            let markers;
            try {
                markers = heredocsFromLine(logical);
            }
            catch (err) {
                if (err instanceof LineError)
                    throw new DockerfileError(file, startLine, err.message, lines.line);
                throw err;
            }
            for (const marker of markers) {
                let content = '';
                let terminated = false;
                for (let body = lines.take(); body !== undefined; body = lines.take()) {
                    let candidate = trimNewline(body.text);
                    if (marker.chomp)
                        candidate = candidate.replace(/^\t+/, '');
                    if (candidate === marker.name) {
                        terminated = true;
                        break;
                    }
                    content += body.newline ? `${body.text}\n` : body.text;
                }
                if (!terminated) {
                    throw new DockerfileError(file, startLine, `unterminated heredoc: no line "${marker.name}" ends the heredoc started here`, lines.line);
                }
                node.heredocs.push({ ...marker, content });
            }
        }
        node.startLine = startLine;
        node.endLine = lines.line;
        nodes.push(node);
    }
    if (nodes.length === 0) {
        throw new DockerfileError(file, Math.max(lines.line, 1), 'file with no instructions: the Dockerfile is empty or only has comments');
    }
    return { escapeToken, directives, nodes, warnings };
}

;// CONCATENATED MODULE: ./src/dockerfile/dockerfile.ts
/**
 * parseDockerfile(): text → directives, nodes, typed instructions grouped in
 * stages, and the meta ARGs before the first FROM. parseInstruction() types a
 * single instruction line (ONBUILD triggers stored in a base image's config).
 */



/** Frontends that parse the same Dockerfile syntax Kiln implements. */
const DOCKERFILE_FRONTENDS = /^(docker\.io\/)?docker\/dockerfile(-upstream)?(:|@|$)/;
/**
 * Parses and types a Dockerfile. `file` is the name used in messages
 * (`Dockerfile:12: ...`). Throws DockerfileError.
 */
function parseDockerfile(text, file) {
    const { escapeToken, directives, nodes, warnings } = parseNodes(text, file);
    const metaArgs = [];
    const stages = [];
    for (const node of nodes) {
        const instr = typeNode(node, file);
        if (instr.kind === 'from') {
            stages.push({
                index: stages.length,
                ...(instr.stageName === undefined ? {} : { name: instr.stageName }),
                from: instr,
                instructions: [],
            });
            continue;
        }
        const stage = stages[stages.length - 1];
        if (stage) {
            stage.instructions.push(instr);
        }
        else if (instr.kind === 'arg') {
            metaArgs.push(instr);
        }
        else {
            throw DockerfileError.at(instr.location, `${node.keywordAsWritten.toUpperCase()} before the first FROM: only ARG may come before FROM (start a stage with FROM image)`);
        }
    }
    if (stages.length === 0) {
        throw new DockerfileError(file, nodes[0].startLine, 'dockerfile contains no stages to build: add a FROM instruction');
    }
    const seen = new Map();
    for (const s of stages) {
        if (!s.name)
            continue;
        const prev = seen.get(s.name);
        if (prev) {
            warnings.push({
                file,
                line: s.from.location.startLine,
                message: `duplicate stage name "${s.name}" (also on line ${prev.from.location.startLine}); later references use this one`,
            });
        }
        seen.set(s.name, s);
    }
    const syntax = directives.find((d) => d.name === 'syntax');
    if (syntax && !DOCKERFILE_FRONTENDS.test(syntax.value)) {
        warnings.push({
            file,
            line: syntax.line,
            message: `# syntax=${syntax.value} is ignored: Kiln parses Dockerfile syntax itself`,
        });
    }
    return {
        file,
        escapeToken,
        directives,
        ...(syntax ? { syntax: syntax.value } : {}),
        nodes,
        metaArgs,
        stages,
        warnings,
    };
}
/**
 * Parses one instruction (it may span lines: continuations, heredoc bodies).
 * With `at`, errors and the instruction's location point there instead (for
 * ONBUILD triggers: the FROM line of the stage that runs them, like BuildKit).
 */
function parseInstruction(text, file, at) {
    try {
        const { nodes } = parseNodes(text, file);
        if (nodes.length !== 1) {
            throw new DockerfileError(file, 1, `expected a single instruction, found ${nodes.length}`);
        }
        const node = nodes[0];
        if (at) {
            node.startLine = at.startLine;
            node.endLine = at.endLine;
        }
        return typeNode(node, at?.file ?? file);
    }
    catch (err) {
        if (at && err instanceof DockerfileError) {
            throw DockerfileError.at(at, `in trigger ${JSON.stringify(text)}: ${err.detail}`);
        }
        throw err;
    }
}
/** Types an ONBUILD trigger from a base image's config (or an earlier stage) to run at `at`. */
function parseOnbuildTrigger(expression, at) {
    const instr = parseInstruction(expression, at.file, at);
    if (instr.kind === 'from')
        throw DockerfileError.at(at, `FROM isn't allowed as an ONBUILD trigger (${expression})`);
    return instr;
}

;// CONCATENATED MODULE: ./src/dockerfile/platform.ts
/** Platforms (`linux/arm64`, `linux/arm/v7`) and the predefined platform ARGs. */
const ARCH_ALIASES = {
    x86_64: ['amd64'],
    'x86-64': ['amd64'],
    amd64: ['amd64'],
    aarch64: ['arm64'],
    arm64: ['arm64'],
    armhf: ['arm', 'v7'],
    armel: ['arm', 'v6'],
    arm: ['arm'],
    i386: ['386'],
    '386': ['386'],
};
/** Normalises like containerd: aarch64 → arm64 (v8 dropped), arm defaults to v7, x86_64 → amd64. */
function normalizePlatform(p) {
    const os = p.os.toLowerCase();
    let architecture = p.architecture.toLowerCase();
    let variant = p.variant?.toLowerCase();
    const alias = ARCH_ALIASES[architecture];
    if (alias) {
        architecture = alias[0];
        if (alias[1] && !variant)
            variant = alias[1];
    }
    if (architecture === 'arm64' && (variant === '8' || variant === 'v8' || variant === 'v8.0'))
        variant = undefined;
    if (architecture === 'arm' && !variant)
        variant = 'v7';
    if (architecture === 'arm' && /^\d+$/.test(variant ?? ''))
        variant = `v${variant}`;
    if (architecture === 'amd64' && variant === 'v1')
        variant = undefined;
    return variant ? { os, architecture, variant } : { os, architecture };
}
/** `os/arch[/variant]` → PlatformSpec; throws a plain Error on malformed input. */
function parsePlatform(text) {
    const parts = text.split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
        throw new Error(`invalid platform ${JSON.stringify(text)}: expected os/arch[/variant], e.g. linux/amd64`);
    }
    return normalizePlatform({
        os: parts[0],
        architecture: parts[1],
        ...(parts[2] ? { variant: parts[2] } : {}),
    });
}
function formatPlatform(p) {
    return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}
const NODE_ARCH = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loong64',
    mips64el: 'mips64le',
};
/** The platform this process runs on (Kiln builds for Linux). */
function hostPlatform() {
    return normalizePlatform({ os: 'linux', architecture: NODE_ARCH[process.arch] ?? process.arch });
}
/** The ARGs BuildKit predefines for FROM lines and bare `ARG NAME` declarations. */
const PLATFORM_ARG_NAMES = [
    'BUILDPLATFORM',
    'BUILDOS',
    'BUILDARCH',
    'BUILDVARIANT',
    'TARGETPLATFORM',
    'TARGETOS',
    'TARGETARCH',
    'TARGETVARIANT',
    'TARGETSTAGE',
];
/** Values of the predefined platform ARGs; a build arg of the same name overrides one. */
function platformArgs(build, target, targetStage, buildArgs = new Map()) {
    const b = normalizePlatform(build);
    const t = normalizePlatform(target);
    const values = [
        ['BUILDPLATFORM', formatPlatform(b)],
        ['BUILDOS', b.os],
        ['BUILDARCH', b.architecture],
        ['BUILDVARIANT', b.variant ?? ''],
        ['TARGETPLATFORM', formatPlatform(t)],
        ['TARGETOS', t.os],
        ['TARGETARCH', t.architecture],
        ['TARGETVARIANT', t.variant ?? ''],
        ['TARGETSTAGE', targetStage],
    ];
    return new Map(values.map(([k, v]) => [k, buildArgs.get(k) ?? v]));
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: ./src/image/digest.ts
/**
 * Content digests (`sha256:<64 hex>`). A digest is validated before it goes
 * into a URL or a path: parseDigest() is the only way to make a Digest.
 */


const ALGORITHMS = {
    sha256: /^[a-f0-9]{64}$/,
    sha512: /^[a-f0-9]{128}$/,
};
class DigestError extends Error {
    name = 'DigestError';
}
function parseDigest(text) {
    const colon = text.indexOf(':');
    const alg = colon > 0 ? text.slice(0, colon) : '';
    const hex = text.slice(colon + 1);
    const re = ALGORITHMS[alg];
    if (!re) {
        throw new DigestError(`invalid digest "${text}": expected sha256:<64 lowercase hex> (or sha512:<128 hex>)`);
    }
    if (!re.test(hex)) {
        throw new DigestError(`invalid digest "${text}": the ${alg} hex part must be ${alg === 'sha256' ? 64 : 128} lowercase hex characters`);
    }
    return text;
}
function isDigest(text) {
    try {
        parseDigest(text);
        return true;
    }
    catch {
        return false;
    }
}
function algorithmOf(d) {
    return d.slice(0, d.indexOf(':'));
}
function hexOf(d) {
    return d.slice(d.indexOf(':') + 1);
}
function sha256(data) {
    return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
/** Wraps a finished hash as a Digest. */
function digestOfHash(hash, alg = 'sha256') {
    return `${alg}:${hash.digest('hex')}`;
}
/**
 * A pass-through stream that hashes and counts what flows through it.
 * `digest` and `size` are final after 'end'/'finish'.
 */
class DigestingStream extends external_node_stream_namespaceObject.Transform {
    alg;
    hash;
    size = 0;
    result;
    constructor(alg = 'sha256') {
        super();
        this.alg = alg;
        this.hash = (0,external_node_crypto_namespaceObject.createHash)(alg);
    }
    _transform(chunk, _enc, cb) {
        this.hash.update(chunk);
        this.size += chunk.length;
        cb(null, chunk);
    }
    _flush(cb) {
        this.result = digestOfHash(this.hash, this.alg);
        cb();
    }
    get digest() {
        if (!this.result)
            throw new Error('DigestingStream: digest read before the stream ended');
        return this.result;
    }
}

;// CONCATENATED MODULE: ./src/image/reference.ts
/**
 * Image references, parsed and normalised the way Docker does:
 * `ubuntu` → docker.io/library/ubuntu:latest, `host:port/ns/name:tag@sha256:…`,
 * `localhost/name`, `[::1]:5000/name`. Invalid input gets an error that quotes
 * it and names the rule it breaks.
 */

const DEFAULT_REGISTRY = 'docker.io';
const DEFAULT_TAG = 'latest';
const MAX_NAME_LENGTH = 255;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:.]+(?:%[a-zA-Z0-9]+)?\]$/;
const PORT = /^[0-9]+$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
class InvalidReferenceError extends Error {
    input;
    name = 'InvalidReferenceError';
    constructor(input, rule) {
        super(`invalid image reference "${input}": ${rule}`);
        this.input = input;
    }
}
class Reference {
    registry;
    repository;
    tag;
    digest;
    constructor(
    /** Registry host as written, normalised (`docker.io`, `ghcr.io`, `localhost:5000`). */
    registry, 
    /** Repository path (`library/ubuntu`, `owner/repo/app`). */
    repository, tag, digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }
    /** registry/repository */
    get name() {
        return `${this.registry}/${this.repository}`;
    }
    /** The tag or digest a pull asks for: the digest wins when both are given. */
    get identifier() {
        return this.digest ?? this.tag ?? DEFAULT_TAG;
    }
    /** Host to talk to for the registry API (Docker Hub's API lives elsewhere). */
    get apiHost() {
        return this.registry === DEFAULT_REGISTRY ? 'registry-1.docker.io' : this.registry;
    }
    withTag(tag) {
        if (!TAG.test(tag))
            throw new InvalidReferenceError(`${this.name}:${tag}`, tagRule(tag));
        return new Reference(this.registry, this.repository, tag, undefined);
    }
    withDigest(digest) {
        return new Reference(this.registry, this.repository, undefined, digest);
    }
    /** Same registry and repository. */
    sameRepository(other) {
        return this.registry === other.registry && this.repository === other.repository;
    }
    toString() {
        let s = this.name;
        if (this.tag)
            s += `:${this.tag}`;
        if (this.digest)
            s += `@${this.digest}`;
        return s;
    }
}
function tagRule(tag) {
    if (tag.length > 128)
        return `the tag is ${tag.length} characters long; at most 128 are allowed`;
    return `tag "${tag}" must start with a letter, digit or _ and hold only letters, digits, _, . and -`;
}
function validDomain(domain) {
    let host = domain;
    let port;
    if (host.startsWith('[')) {
        const end = host.indexOf(']');
        if (end < 0)
            return false;
        port = host.slice(end + 1);
        host = host.slice(0, end + 1);
        if (port && (!port.startsWith(':') || !PORT.test(port.slice(1))))
            return false;
        return IPV6_HOST.test(host);
    }
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
        port = host.slice(colon + 1);
        host = host.slice(0, colon);
        if (!PORT.test(port))
            return false;
    }
    return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}
/** Parses and normalises a reference; `tag` defaults to latest unless a digest is given. */
function parseReference(input, opts = {}) {
    const defaultTag = opts.defaultTag ?? true;
    if (input.length === 0)
        throw new InvalidReferenceError(input, 'it is empty');
    if (/\s/.test(input))
        throw new InvalidReferenceError(input, 'it contains whitespace');
    let rest = input;
    let digest;
    const at = rest.indexOf('@');
    if (at >= 0) {
        const d = rest.slice(at + 1);
        try {
            digest = parseDigest(d);
        }
        catch (e) {
            throw new InvalidReferenceError(input, e.message);
        }
        rest = rest.slice(0, at);
    }
    // A tag is after the last ':' that follows the last '/'.
    let tag;
    const lastSlash = rest.lastIndexOf('/');
    const lastColon = rest.lastIndexOf(':');
    if (lastColon > lastSlash && !(lastSlash < 0 && rest.startsWith('['))) {
        tag = rest.slice(lastColon + 1);
        rest = rest.slice(0, lastColon);
        if (!TAG.test(tag))
            throw new InvalidReferenceError(input, tagRule(tag));
    }
    let registry = DEFAULT_REGISTRY;
    let repository = rest;
    const slash = rest.indexOf('/');
    if (slash >= 0) {
        const first = rest.slice(0, slash);
        if (/[.:]/.test(first) ||
            first === 'localhost' ||
            first !== first.toLowerCase() ||
            first.startsWith('[')) {
            if (!validDomain(first)) {
                throw new InvalidReferenceError(input, `"${first}" is not a valid registry host[:port]`);
            }
            registry = first;
            repository = rest.slice(slash + 1);
        }
    }
    if (registry === 'index.docker.io' || registry === 'registry-1.docker.io')
        registry = DEFAULT_REGISTRY;
    if (repository.length === 0)
        throw new InvalidReferenceError(input, 'the repository name is empty');
    if (registry === DEFAULT_REGISTRY && !repository.includes('/'))
        repository = `library/${repository}`;
    for (const component of repository.split('/')) {
        if (component !== component.toLowerCase()) {
            throw new InvalidReferenceError(input, 'repository name must be lowercase');
        }
        if (!PATH_COMPONENT.test(component)) {
            throw new InvalidReferenceError(input, `repository path component "${component}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`);
        }
    }
    const name = `${registry}/${repository}`;
    if (name.length > MAX_NAME_LENGTH) {
        throw new InvalidReferenceError(input, `the name is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are allowed`);
    }
    if (!tag && !digest && defaultTag)
        tag = DEFAULT_TAG;
    return new Reference(registry, repository, tag, digest);
}

;// CONCATENATED MODULE: ./src/dockerfile/scope.ts
/**
 * The ARG/ENV scope of a stage during dispatch, with BuildKit's semantics
 * (dockerfile2llb dispatchArg/dispatchEnv):
 *
 * - A stage starts from its base image's config Env (plus a default PATH
 *   when the base has none, as BuildKit adds it to the image config too), or
 *   from a copy of the scope of the earlier stage it is built FROM.
 * - `ARG name=default`: a --build-arg of that name wins, else the default
 *   (expanded in the current scope). A bare `ARG name` takes the build arg,
 *   else the global value (a meta ARG before the first FROM, or a predefined
 *   platform ARG), else it stays unset.
 * - ARG and ENV values live in one environment, in instruction order: the
 *   later one wins. So ENV after ARG shadows the ARG; an ARG with a value
 *   after an ENV of the same name overrides it for later expansions and
 *   RUNs (but never the image config). The image config gets ENV only.
 * - Proxy build args (HTTP_PROXY, https_proxy, NO_PROXY, ...) reach RUN
 *   without any ARG and stay out of the history.
 */


const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Build args that reach RUN without an ARG (names compared case-insensitively). */
const PROXY_ARG_NAMES = ['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy'];
function isProxyArg(name) {
    return PROXY_ARG_NAMES.includes(name.toLowerCase());
}
/** `KEY=VALUE` → [KEY, VALUE]; a bare KEY has an empty value. */
function splitEnv(entry) {
    const eq = entry.indexOf('=');
    return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}
/**
 * The global ARG values: the predefined platform ARGs, then the meta ARGs
 * (before the first FROM) in order. A build arg wins over a default; an
 * ARG with neither stays unset.
 */
function resolveGlobalArgs(metaArgs, buildArgs, predefined, escapeToken) {
    const globals = new Map(predefined);
    const lex = new shell_lex_ShellLex(escapeToken);
    for (const instr of metaArgs) {
        for (const arg of instr.args) {
            const given = buildArgs.get(arg.name);
            if (given !== undefined)
                globals.set(arg.name, given);
            else if (arg.defaultValue !== undefined) {
                const d = arg.defaultValue;
                globals.set(arg.name, errors_atLocation(instr.location, () => lex.processWord(d, globals)));
            }
        }
    }
    return globals;
}
class StageScope {
    opts;
    env;
    config;
    args;
    lex;
    rawLex = new ShellLex('\\', { skipProcessQuotes: true });
    constructor(opts, 
    /** What expansions and RUN see: config env, then ENV and ARG values, later wins. */
    env, 
    /** The image config's Env, in order (duplicates of the base kept). */
    config, args) {
        this.opts = opts;
        this.env = env;
        this.config = config;
        this.args = args;
        this.lex = new ShellLex(opts.escapeToken);
    }
    /** The scope at the start of a stage built on an image (or scratch: baseEnv []). */
    static forImage(opts) {
        const config = opts.baseEnv.map(splitEnv);
        if (!config.some(([k]) => k === 'PATH'))
            config.push(['PATH', DEFAULT_PATH]);
        return new StageScope(opts, new Map(config), config, []);
    }
    /** The scope at the start of a stage built FROM this (finished) stage: ENV and ARGs carry over. */
    clone() {
        return new StageScope(this.opts, new Map(this.env), this.config.map(([k, v]) => [k, v]), this.args.map((a) => ({ ...a })));
    }
    get(name) {
        return this.env.get(name);
    }
    /** The word expanded, quotes removed (throws ShellWordError; expandInstruction adds the line). */
    expand(word) {
        return this.lex.processWord(word, this.env);
    }
    /** The word expanded and split into words (EXPOSE). */
    expandWords(word) {
        return this.lex.processWords(word, this.env);
    }
    /** Expansion of a COPY/ADD heredoc body: `$` only, quotes kept, `\` escapes. */
    expandRaw(word) {
        return this.rawLex.processWord(word, this.env);
    }
    /** ENV with pairs already expanded (expandInstruction): the image config and the scope. */
    applyEnv(pairs) {
        for (const { key, value } of pairs) {
            this.env.set(key, value);
            const i = this.config.findIndex(([k]) => k === key);
            if (i >= 0)
                this.config[i] = [key, value];
            else
                this.config.push([key, value]);
        }
    }
    /** ARG (not expanded beforehand: a default is only expanded when no build arg replaces it). */
    applyArg(instr) {
        for (const arg of instr.args) {
            const given = this.opts.buildArgs.get(arg.name);
            let value;
            if (given !== undefined)
                value = given;
            else if (arg.defaultValue !== undefined) {
                const d = arg.defaultValue;
                value = atLocation(instr.location, () => this.expand(d));
            }
            else
                value = this.opts.globalArgs.get(arg.name);
            if (value !== undefined)
                this.env.set(arg.name, value);
            this.args.push(value === undefined ? { name: arg.name } : { name: arg.name, value });
        }
    }
    /** The image config's Env: the base's, plus PATH if it had none, plus every ENV. */
    configEnv() {
        return this.config.map(([k, v]) => `${k}=${v}`);
    }
    /** The environment of a RUN: config env, ENV and ARG values (later wins), then proxy build args. */
    runEnvironment() {
        const out = [...this.env].map(([k, v]) => `${k}=${v}`);
        // Like BuildKit: names compared case-insensitively, sorted keys, the last one wins.
        const proxies = new Map();
        for (const name of [...this.opts.buildArgs.keys()].sort()) {
            if (isProxyArg(name))
                proxies.set(name.toLowerCase(), this.opts.buildArgs.get(name));
        }
        for (const [lower, value] of proxies) {
            for (const n of [lower.toUpperCase(), lower]) {
                if (!this.env.has(n))
                    out.push(`${n}=${value}`);
            }
        }
        return out;
    }
    /** ARGs declared so far in this stage (and the stage it is built FROM), in order. */
    declaredArgs() {
        return this.args.map((a) => ({ ...a }));
    }
    /**
     * `KEY=VALUE` of the declared ARGs for BuildKit's RUN history entry
     * (`RUN |2 A=1 B=2 /bin/sh -c ...`): one per name, first position, value
     * as the RUN sees it. Undeclared proxy args never appear.
     */
    historyArgs() {
        const order = [];
        const values = new Map();
        for (const a of this.args) {
            if (!values.has(a.name))
                order.push(a.name);
            values.set(a.name, this.env.get(a.name) ?? a.value ?? '');
        }
        return order.map((k) => `${k}=${values.get(k)}`);
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/stages.ts
/**
 * The stage planner: which stages a build needs and in what order, each
 * with its base expanded against the global ARGs. A stage needs the stage it
 * is built FROM and every stage named by COPY --from or RUN --mount from=
 * (also inside ONBUILD triggers it runs). Stages the target does not need are
 * not built. Cycles, unknown targets and forward references are errors.
 */







/** Build args that are consumed without an ARG (no "unused" warning). */
function implicitArg(name) {
    return (PLATFORM_ARG_NAMES.includes(name) ||
        isProxyArg(name) ||
        name === 'SOURCE_DATE_EPOCH' ||
        name.startsWith('BUILDKIT_'));
}
/** The last stage with this name (names are case-insensitive), among the first `before` stages. */
function stageByName(df, name, before = df.stages.length) {
    const lower = name.toLowerCase();
    for (let i = before - 1; i >= 0; i--)
        if (df.stages[i].name === lower)
            return df.stages[i];
    return undefined;
}
function imageSource(ref, location) {
    if (ref === 'scratch')
        return { kind: 'scratch' };
    errors_atLocation(location, () => parseReference(ref));
    return { kind: 'image', ref };
}
function stageSource(s) {
    return s.name === undefined
        ? { kind: 'stage', index: s.index }
        : { kind: 'stage', index: s.index, name: s.name };
}
const stages_NO_ENV = new Map();
/**
 * Resolves COPY --from / RUN --mount from= the way BuildKit does: a number
 * is a stage index, a stage name (any earlier or later stage) is that stage,
 * anything else an image. Variables are not expanded in --from.
 */
function resolveFrom(df, from, location) {
    const lex = new shell_lex_ShellLex(df.escapeToken);
    const literal = errors_atLocation(location, () => lex.processWord(from, stages_NO_ENV));
    if (literal !== from) {
        throw DockerfileError.at(location, `variable expansion is not supported for --from (${from}): define a stage with FROM using a global ARG, then use its name`);
    }
    if (/^[+-]?\d+$/.test(from)) {
        const index = Number(from);
        const stage = df.stages[index];
        if (!stage || !Number.isInteger(index)) {
            throw DockerfileError.at(location, `invalid stage index ${from} (stages are numbered 0 to ${df.stages.length - 1})`);
        }
        return stageSource(stage);
    }
    const stage = stageByName(df, from);
    if (stage)
        return stageSource(stage);
    return imageSource(from, location);
}
/** Throws for features Kiln parses but cannot run yet. */
function assertSupported(instr) {
    if (instr.kind !== 'run')
        return;
    if (instr.mounts.length > 0) {
        throw DockerfileError.at(instr.location, 'RUN --mount is not supported yet: remove the --mount flag (or build this Dockerfile with BuildKit)');
    }
    if (instr.security === 'insecure') {
        throw DockerfileError.at(instr.location, 'RUN --security=insecure is not supported yet: remove the flag');
    }
}
function planStages(df, opts) {
    const { stages } = df;
    const warnings = [];
    let target;
    if (opts.target === undefined || opts.target === '') {
        target = stages[stages.length - 1];
    }
    else {
        const found = stageByName(df, opts.target);
        if (!found) {
            const names = stages.flatMap((s) => (s.name ? [s.name] : []));
            throw new DockerfileError(df.file, undefined, `target stage ${JSON.stringify(opts.target)} could not be found${suggestion(opts.target, names)}` +
                (names.length
                    ? ` (stages: ${names.join(', ')})`
                    : ' (no stage has a name: use FROM image AS name)'));
        }
        target = found;
    }
    const predefined = platformArgs(opts.buildPlatform, opts.targetPlatform, target.name ?? '', opts.buildArgs);
    const globalArgs = resolveGlobalArgs(df.metaArgs, opts.buildArgs, predefined, df.escapeToken);
    const lex = new shell_lex_ShellLex(df.escapeToken);
    const planned = stages.map((stage) => {
        const loc = stage.from.location;
        const image = errors_atLocation(loc, () => lex.processWord(stage.from.image, globalArgs));
        if (image === '') {
            throw DockerfileError.at(loc, `base name (${stage.from.image}) should not be blank: set the ARG it uses`);
        }
        const baseStage = stageByName(df, image, stage.index);
        const base = baseStage ? stageSource(baseStage) : imageSource(image, loc);
        const p = {
            index: stage.index,
            ...(stage.name === undefined ? {} : { name: stage.name }),
            stage,
            base,
            dependsOn: [],
            images: [],
            onbuild: [],
        };
        if (stage.from.platform !== undefined) {
            const expr = stage.from.platform;
            const platform = errors_atLocation(loc, () => lex.processWord(expr, globalArgs));
            if (platform === '')
                throw DockerfileError.at(loc, `empty platform value from expression ${expr}`);
            errors_atLocation(loc, () => parsePlatform(platform));
            p.platform = platform;
        }
        return p;
    });
    // --from dependencies of each stage's own instructions (all stages, like BuildKit).
    const depsOf = (p, instrs) => {
        const out = [];
        for (const instr of instrs) {
            const refs = [];
            if (instr.kind === 'copy' && instr.from !== undefined)
                refs.push(instr.from);
            if (instr.kind === 'run')
                for (const m of instr.mounts)
                    if (m.from !== undefined)
                        refs.push(m.from);
            for (const ref of refs) {
                const src = resolveFrom(df, ref, instr.location);
                if (src.kind === 'stage')
                    out.push({ index: src.index, location: instr.location });
                else if (src.kind === 'image' && !p.images.includes(src.ref))
                    p.images.push(src.ref);
            }
        }
        return out;
    };
    const deps = planned.map((p) => depsOf(p, p.stage.instructions));
    checkCycles(df, deps);
    // The stages the target needs; ONBUILD triggers of needed stages can add more.
    const needed = new Set();
    const triggersLoaded = new Set();
    const visit = (i) => {
        if (needed.has(i))
            return;
        needed.add(i);
        const p = planned[i];
        if (!triggersLoaded.has(i)) {
            triggersLoaded.add(i);
            const triggers = p.base.kind === 'stage'
                ? stages[p.base.index].instructions.flatMap((x) => (x.kind === 'onbuild' ? [x.expression] : []))
                : (opts.baseImageTriggers?.get(i) ?? []);
            p.onbuild = triggers.map((t) => parseOnbuildTrigger(t, p.stage.from.location));
            deps[i] = [...depsOf(p, p.onbuild), ...deps[i]];
        }
        if (p.base.kind === 'stage')
            visit(p.base.index);
        for (const d of deps[i])
            visit(d.index);
    };
    visit(target.index);
    const result = [];
    for (const p of planned) {
        if (!needed.has(p.index))
            continue;
        for (const d of deps[p.index]) {
            if (d.index >= p.index) {
                const from = stages[d.index];
                throw DockerfileError.at(d.location, `cannot copy from stage ${JSON.stringify(from.name ?? String(d.index))}, it needs to be defined before current stage ${JSON.stringify(p.name ?? String(p.index))}`);
            }
        }
        const dependsOn = new Set(deps[p.index].map((d) => d.index));
        if (p.base.kind === 'stage')
            dependsOn.add(p.base.index);
        p.dependsOn = [...dependsOn].sort((a, b) => a - b);
        for (const instr of [...p.onbuild, ...p.stage.instructions])
            assertSupported(instr);
        result.push(p);
    }
    const declared = new Set();
    for (const a of df.metaArgs)
        for (const d of a.args)
            declared.add(d.name);
    for (const p of result) {
        for (const instr of [...p.onbuild, ...p.stage.instructions]) {
            if (instr.kind === 'arg')
                for (const d of instr.args)
                    declared.add(d.name);
        }
    }
    for (const name of opts.buildArgs.keys()) {
        if (!declared.has(name) && !implicitArg(name)) {
            warnings.push({
                file: df.file,
                message: `build argument ${JSON.stringify(name)} is not used: no ARG ${name} in the stages built`,
            });
        }
    }
    return { target: target.index, stages: result, globalArgs, warnings };
}
function checkCycles(df, deps) {
    const done = new Set();
    const onPath = [];
    const via = [];
    const visit = (i) => {
        if (done.has(i))
            return;
        onPath.push(i);
        for (const d of deps[i]) {
            const at = onPath.indexOf(d.index);
            via.push(d.location);
            if (at >= 0) {
                const names = [...onPath.slice(at), d.index].map((s) => df.stages[s].name ?? String(s));
                throw DockerfileError.at(via[at], `circular dependency detected on stage: ${names[0]} (${names.join(' -> ')}); a stage cannot copy from itself or from a stage that copies from it`);
            }
            visit(d.index);
            via.pop();
        }
        onPath.pop();
        done.add(i);
    };
    for (let i = 0; i < deps.length; i++)
        visit(i);
}

;// CONCATENATED MODULE: ./src/cli/parse-command.ts
/**
 * `kiln parse [-f Dockerfile] [--build-arg K=V] [--target T] [--platform os/arch]`:
 * prints the parsed Dockerfile (directives, meta ARGs, stages and typed
 * instructions) and the build plan as JSON on stdout. A Dockerfile error
 * exits non-zero with `file:line: message` on stderr.
 */







const PARSE_FLAGS = [
    {
        name: 'dockerfile',
        short: 'f',
        kind: 'string',
        metavar: 'path',
        aliases: ['file'],
        help: 'Dockerfile to parse (default: ./Dockerfile)',
    },
    {
        name: 'build-arg',
        kind: 'list',
        metavar: 'KEY[=value]',
        help: 'Build argument; a bare KEY takes its value from the environment',
    },
    { name: 'target', kind: 'string', metavar: 'stage', help: 'Plan for this stage (default: the last)' },
    {
        name: 'platform',
        kind: 'string',
        metavar: 'os/arch',
        aliases: ['custom-platform'],
        help: 'Target platform for the TARGET* args (default: the host)',
    },
    { name: 'help', short: 'h', kind: 'bool', help: 'Show this help' },
];
function parseHelp() {
    return [
        'Usage: kiln parse [flags]',
        '',
        'Prints the stages, typed instructions and build plan of a Dockerfile as JSON.',
        '',
        formatFlagHelp(PARSE_FLAGS),
        '',
    ].join('\n');
}
function formatWarning(w) {
    return w.line === undefined ? `${w.file}: ${w.message}` : `${w.file}:${w.line}: ${w.message}`;
}
/** What `kiln parse` prints: the parsed Dockerfile and its plan, as plain JSON data. */
function parseReport(df, plan) {
    return {
        file: df.file,
        escapeToken: df.escapeToken,
        ...(df.syntax === undefined ? {} : { syntax: df.syntax }),
        directives: df.directives,
        metaArgs: df.metaArgs,
        stages: df.stages,
        plan: {
            target: plan.target,
            globalArgs: Object.fromEntries(plan.globalArgs),
            stages: plan.stages.map((p) => ({
                index: p.index,
                ...(p.name === undefined ? {} : { name: p.name }),
                base: p.base,
                ...(p.platform === undefined ? {} : { platform: p.platform }),
                dependsOn: p.dependsOn,
                images: p.images,
                onbuild: p.onbuild,
            })),
        },
        warnings: [...df.warnings, ...plan.warnings].map(formatWarning),
    };
}
async function runParse(argv, io) {
    const flags = parseFlags(argv, PARSE_FLAGS);
    if (flags.values.get('help')) {
        io.stdout(parseHelp());
        return 0;
    }
    if (flags.positional.length > 0) {
        throw new UsageError(`unexpected argument "${flags.positional[0]}" (use -f to name the Dockerfile)`);
    }
    const name = flags.values.get('dockerfile') ?? 'Dockerfile';
    const buildArgs = parseKeyValues('build-arg', flags.values.get('build-arg') ?? [], io.env);
    const target = flags.values.get('target');
    const platformText = flags.values.get('platform');
    let targetPlatform = hostPlatform();
    if (platformText !== undefined) {
        try {
            targetPlatform = parsePlatform(platformText);
        }
        catch (err) {
            throw new UsageError(`--platform: ${err.message}`);
        }
    }
    let text;
    try {
        text = await (0,promises_namespaceObject.readFile)(external_node_path_default().resolve(io.cwd, name), 'utf8');
    }
    catch (err) {
        const code = err.code;
        if (code === 'ENOENT') {
            throw new UsageError(`cannot read ${name}: no such file (name the Dockerfile with -f)`);
        }
        throw err;
    }
    const df = parseDockerfile(text, name);
    const plan = planStages(df, {
        ...(target === undefined ? {} : { target }),
        buildArgs,
        buildPlatform: hostPlatform(),
        targetPlatform,
    });
    for (const w of [...df.warnings, ...plan.warnings])
        io.stderr(`kiln: warning: ${formatWarning(w)}\n`);
    const out = parseReport(df, plan);
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
}

;// CONCATENATED MODULE: ./src/log.ts
/** A logger that prints nothing; for library callers and tests. */
const silentLogger = {
    debug() { },
    info() { },
    warn() { },
    error() { },
    group: (_name, fn) => fn(),
    secret() { },
};
/** Plain lines for terminals, CI logs and laptops; redacts registered secrets. */
function streamLogger(opts = {}) {
    const secrets = new Set();
    const write = opts.write ?? ((line) => process.stderr.write(`${line}\n`));
    const prefixes = [];
    const emit = (level, message) => {
        let text = message;
        for (const s of secrets)
            text = text.split(s).join('***');
        const ts = opts.timestamps ? `${new Date().toISOString()} ` : '';
        const lvl = level ? `${level}: ` : '';
        const pre = prefixes.length ? `[${prefixes.join(' > ')}] ` : '';
        for (const line of text.split('\n'))
            write(`${ts}${pre}${lvl}${line}`);
    };
    return {
        debug: (m) => {
            if (opts.verbose)
                emit('debug', m);
        },
        info: (m) => emit('', m),
        warn: (m) => emit('warning', m),
        error: (m) => emit('error', m),
        async group(name, fn) {
            prefixes.push(name);
            try {
                return await fn();
            }
            finally {
                prefixes.pop();
            }
        },
        secret(value) {
            if (value)
                secrets.add(value);
        },
    };
}

;// CONCATENATED MODULE: ./src/version.ts
const VERSION = '0.1.0';

;// CONCATENATED MODULE: ./src/cli.ts
/**
 * CLI entry: argv → BuildOptions → build(). Returns the exit code; the bin
 * script sets process.exitCode from it.
 */






const COMMANDS = {
    build: 'Build an image from a Dockerfile and push it (kaniko executor flags)',
    parse: 'Print the stages, instructions and build plan of a Dockerfile as JSON',
    help: 'Show help for a command',
    version: 'Print the version',
};
function mainHelp() {
    const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
    return [
        `kiln ${VERSION}: build container images from a Dockerfile with no Docker daemon.`,
        '',
        'Usage: kiln <command> [flags]',
        '',
        'Commands:',
        ...Object.entries(COMMANDS).map(([c, h]) => `  ${c.padEnd(width)}${h}`),
        '',
        'Flags of kiln build:',
        formatFlagHelp(BUILD_FLAGS),
        '',
    ].join('\n');
}
function buildHelp() {
    return ['Usage: kiln build [flags]', '', formatFlagHelp(BUILD_FLAGS), ''].join('\n');
}
async function main(argv, io) {
    const [command, ...rest] = argv;
    try {
        switch (command) {
            case undefined:
            case '--help':
            case '-h':
                io.stdout(mainHelp());
                return command === undefined ? 2 : 0;
            case 'help':
                io.stdout(rest[0] === 'build' ? buildHelp() : rest[0] === 'parse' ? parseHelp() : mainHelp());
                return 0;
            case 'version':
            case '--version':
                io.stdout(`kiln ${VERSION}\n`);
                return 0;
            case 'build':
                return await runBuild(rest, io);
            case 'parse':
                return await runParse(rest, io);
            default:
                throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
        }
    }
    catch (err) {
        if (err instanceof UsageError) {
            io.stderr(`kiln: ${err.message}\n`);
            return 2;
        }
        io.stderr(`kiln: error: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
}
function cliLogger(io, verbosity) {
    return streamLogger({
        verbose: verbosity === 'debug' || verbosity === 'trace',
        timestamps: !io.isTTY,
        write: (line) => io.stderr(`${line}\n`),
    });
}
async function runBuild(argv, io) {
    const flags = parseFlags(argv, BUILD_FLAGS);
    if (flags.values.get('help')) {
        io.stdout(buildHelp());
        return 0;
    }
    if (flags.positional.length > 0) {
        throw new UsageError(`unexpected argument "${flags.positional[0]}" (kiln build takes flags only)`);
    }
    const log = cliLogger(io, flags.values.get('verbosity'));
    for (const w of flags.warnings)
        log.warn(w);
    const options = buildOptionsFromFlags(flags.values, io.env, io.cwd);
    const result = await build(options, log);
    io.stdout(`${result.digest}\n`);
    return 0;
}


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(91);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
