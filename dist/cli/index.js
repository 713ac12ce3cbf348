import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 91:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _cli_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(162);
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

/***/ 162:
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
                io.stdout(rest[0] === 'build' ? buildHelp() : mainHelp());
                return 0;
            case 'version':
            case '--version':
                io.stdout(`kiln ${VERSION}\n`);
                return 0;
            case 'build':
                return await runBuild(rest, io);
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
