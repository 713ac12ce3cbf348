import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ // The require scope
/******/ var __nccwpck_require__ = {};
/******/ 
/************************************************************************/
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
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Uj: () => (/* reexport */ ALL_RULES),
  OM: () => (/* reexport */ DEFAULT_PATH),
  tP: () => (/* reexport */ DockerfileError),
  Gv: () => (/* reexport */ FEATURES),
  by: () => (/* reexport */ HEREDOC_SCRIPT_DIR),
  xl: () => (/* reexport */ INSTRUCTION_KINDS),
  Ds: () => (/* reexport */ IgnoreMatcher),
  Ud: () => (/* reexport */ LATEST_SYNTAX),
  Oc: () => (/* reexport */ MAX_LINE_BYTES),
  wK: () => (/* reexport */ PLATFORM_ARG_NAMES),
  z2: () => (/* reexport */ PROXY_ARG_NAMES),
  PP: () => (/* reexport */ PatternMatcher),
  y0: () => (/* reexport */ RULES),
  Ei: () => (/* reexport */ ShellLex),
  F4: () => (/* reexport */ ShellWordError),
  nI: () => (/* reexport */ StageScope),
  xb: () => (/* reexport */ assertNever),
  PE: () => (/* reexport */ atLocation),
  jo: () => (/* reexport */ chompHeredocContent),
  zO: () => (/* reexport */ expandInstruction),
  LZ: () => (/* reexport */ exposedPorts),
  tf: () => (/* reexport */ formatFinding),
  Bq: () => (/* reexport */ formatPlatform),
  jI: () => (/* reexport */ hasFeature),
  ol: () => (/* reexport */ hostPlatform),
  xU: () => (/* reexport */ isProxyArg),
  F5: () => (/* reexport */ loadDockerignore),
  FL: () => (/* reexport */ normalizePlatform),
  Ai: () => (/* reexport */ parseDockerfile),
  yr: () => (/* reexport */ parseDockerignore),
  vp: () => (/* reexport */ parseFrontendRef),
  ED: () => (/* reexport */ parseInstruction),
  L9: () => (/* reexport */ parseNodes),
  p8: () => (/* reexport */ parseOnbuildTrigger),
  Y8: () => (/* reexport */ parsePlatform),
  VC: () => (/* reexport */ planStages),
  xZ: () => (/* reexport */ platformArgs),
  dx: () => (/* reexport */ resolveFrom),
  nl: () => (/* reexport */ resolveGlobalArgs),
  _w: () => (/* reexport */ resolveSyntax),
  JT: () => (/* reexport */ runChecks),
  aY: () => (/* reexport */ runCommandPlan),
  Zm: () => (/* reexport */ stopSignal),
  on: () => (/* reexport */ volumes),
  lh: () => (/* reexport */ workdir)
});

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
function atLocation(location, fn) {
    try {
        return fn();
    }
    catch (err) {
        if (err instanceof DockerfileError)
            throw err;
        throw DockerfileError.at(location, err instanceof Error ? err.message : String(err));
    }
}

;// CONCATENATED MODULE: ./src/hints.ts
/**
 * Hint codes. The libraries (registry, image, cache, executor) tell the user
 * what to change without knowing how they were started: a message names a
 * setting by its code, as a marker `{{code}}` or `{{code value}}`, never by a
 * CLI flag or an action input. Each front door names the settings its own
 * way — the CLI by flag (`--insecure-registry r.example`), the action by
 * input (`cache_registry`) or by its `extra_args` flag — and renders every
 * message it prints with renderSettings(). A marker printed unrendered still
 * reads: `{{insecure-registry r.example}}`.
 */
/** The settings a library message may point at. */
const SETTINGS = [
    'insecure-registry',
    'skip-tls-verify-registry',
    'registry-certificate',
    'credentials',
    'platform',
    'dockerfile',
    'context',
    'destination',
    'cache',
    'cache-repo',
    'cache-dir',
    'isolation',
    'snapshot-mode',
    'compression',
];
const KNOWN = new Set(SETTINGS);
const MARKER = /\{\{([a-z-]+)(?: ([^{}\s]+))?\}\}/g;
/** The marker for a setting in a library message: `{{cache-repo}}`, `{{insecure-registry r.example}}`. */
function setting(name, value) {
    return value === undefined || value === '' ? `{{${name}}}` : `{{${name} ${value.replace(/\s/g, '')}}}`;
}
/** The settings a message names, in order, once each. */
function settingsIn(text) {
    const out = new Set();
    for (const m of (text ?? '').matchAll(MARKER))
        if (KNOWN.has(m[1]))
            out.add(m[1]);
    return [...out];
}
/** The message with each setting marker replaced by the front door's name for it. */
function renderSettings(text, name) {
    return text.replace(MARKER, (whole, code, value) => KNOWN.has(code) ? name(code, value) : whole);
}
/** A logger that names the settings in every line its own way (a front door's logger). */
function namingSettings(log, name) {
    const r = (m) => renderSettings(m, name);
    return {
        ...log,
        debug: (m) => log.debug(r(m)),
        info: (m) => log.info(r(m)),
        warn: (m) => log.warn(r(m)),
        error: (m) => log.error(r(m)),
        ...(log.progress
            ? { progress: (key, text) => log.progress(key, text && r(text)) }
            : {}),
    };
}

;// CONCATENATED MODULE: ./src/image/media-types.ts
/** Media types of the OCI image spec and Docker's image manifest v2 schema 2. */
const MediaType = {
    OciManifest: 'application/vnd.oci.image.manifest.v1+json',
    OciIndex: 'application/vnd.oci.image.index.v1+json',
    OciConfig: 'application/vnd.oci.image.config.v1+json',
    OciLayer: 'application/vnd.oci.image.layer.v1.tar',
    OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    OciEmptyJson: 'application/vnd.oci.empty.v1+json',
    DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
    DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    DockerConfig: 'application/vnd.docker.container.image.v1+json',
    DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
};
function isIndexMediaType(mt) {
    return mt === MediaType.OciIndex || mt === MediaType.DockerManifestList;
}
function media_types_isManifestMediaType(mt) {
    return mt === MediaType.OciManifest || mt === MediaType.DockerManifest;
}
/** Compression of a layer blob, from its media type (OCI's, Docker's, and containerd's Docker zstd). */
function layerCompression(mt) {
    if (mt.endsWith('+gzip') || mt.endsWith('.tar.gzip'))
        return 'gzip';
    if (mt.endsWith('+zstd') || mt.endsWith('.tar.zstd'))
        return 'zstd';
    if (mt.endsWith('.tar') || mt === MediaType.OciLayer)
        return 'none';
    throw new Error(`unsupported layer media type "${mt}"`);
}
/** Every manifest type Kiln reads, for registry Accept headers. */
const MANIFEST_ACCEPT = [
    MediaType.OciIndex,
    MediaType.OciManifest,
    MediaType.DockerManifestList,
    MediaType.DockerManifest,
];

;// CONCATENATED MODULE: ./src/image/platform.ts
/**
 * Platforms (`os/arch[/variant]`): the host's, parsing and formatting with
 * containerd's normalisation (aarch64 → arm64, arm64/v8 ≡ arm64, x86_64 →
 * amd64, arm → arm/v7), and choosing an image from an index.
 */


class PlatformError extends Error {
    name = 'PlatformError';
}
/** No entry of an index fits the wanted platform. */
class PlatformNotFoundError extends PlatformError {
    wanted;
    available;
    name = 'PlatformNotFoundError';
    constructor(wanted, available, what) {
        super(`no image for platform ${wanted}${what ? ` in ${what}` : ''}: ${available.length ? `it has ${available.join(', ')}` : 'it lists no image platforms'}; choose one of those with ${setting('platform')}, or use a base image built for ${wanted}`);
        this.wanted = wanted;
        this.available = available;
    }
}
/** The platform Node runs on, in OCI terms. */
function hostPlatform() {
    const os = process.platform === 'win32' ? 'windows' : process.platform;
    switch (process.arch) {
        case 'x64':
            return { os, architecture: 'amd64' };
        case 'arm64':
            return { os, architecture: 'arm64' };
        case 'arm': {
            const v = nodeConfig().arm_version;
            return { os, architecture: 'arm', variant: `v${v ?? 7}` };
        }
        case 'ia32':
            return { os, architecture: '386' };
        case 'ppc64':
            return { os, architecture: nodeConfig().node_byteorder === 'big' ? 'ppc64' : 'ppc64le' };
        case 's390x':
            return { os, architecture: 's390x' };
        case 'riscv64':
            return { os, architecture: 'riscv64' };
        case 'loong64':
            return { os, architecture: 'loong64' };
        case 'mips':
            return { os, architecture: 'mips' };
        case 'mipsel':
            return { os, architecture: 'mipsle' };
        default:
            return { os, architecture: process.arch };
    }
}
function nodeConfig() {
    return process.config.variables;
}
const ARCH_ALIASES = {
    x86_64: 'amd64',
    'x86-64': 'amd64',
    i386: '386',
    i486: '386',
    i586: '386',
    i686: '386',
    x86: '386',
    aarch64: 'arm64',
    armhf: 'arm',
    armel: 'arm',
};
const KNOWN_OS = new Set([
    'linux',
    'windows',
    'darwin',
    'freebsd',
    'netbsd',
    'openbsd',
    'solaris',
    'illumos',
    'aix',
    'android',
    'ios',
    'plan9',
    'js',
    'wasip1',
]);
const KNOWN_ARCH = new Set([
    'amd64',
    '386',
    'arm',
    'arm64',
    'ppc64',
    'ppc64le',
    's390x',
    'riscv64',
    'loong64',
    'mips',
    'mipsle',
    'mips64',
    'mips64le',
    'wasm',
]);
/** containerd's platforms.Normalize: one spelling per platform. */
/** os/architecture/variant/os.version as an image config names them (not normalised). */
function configPlatform(c) {
    return {
        os: c.os,
        architecture: c.architecture,
        ...(c.variant ? { variant: c.variant } : {}),
        ...(c['os.version'] ? { 'os.version': c['os.version'] } : {}),
    };
}
function normalizePlatform(p) {
    const os = p.os.toLowerCase() === 'macos' ? 'darwin' : p.os.toLowerCase();
    const rawArch = p.architecture.toLowerCase();
    const arch = ARCH_ALIASES[rawArch] ?? rawArch;
    let variant = p.variant?.toLowerCase() || undefined;
    if (variant && /^[0-9]+$/.test(variant))
        variant = `v${variant}`;
    if (rawArch === 'armhf')
        variant ??= 'v7';
    if (rawArch === 'armel')
        variant ??= 'v6';
    switch (arch) {
        case 'amd64':
            if (variant === 'v1')
                variant = undefined;
            break;
        case 'arm64':
            if (variant === 'v8')
                variant = undefined;
            break;
        case 'arm':
            variant ??= 'v7';
            break;
    }
    const out = { os, architecture: arch };
    if (variant)
        out.variant = variant;
    if (p['os.version'])
        out['os.version'] = p['os.version'];
    if (p['os.features'])
        out['os.features'] = p['os.features'];
    return out;
}
/** Parses `os/arch[/variant]` (or `arch` alone: linux is assumed) and normalises it. */
function parsePlatform(text) {
    const parts = text.trim().split('/');
    const bad = (rule) => new PlatformError(`invalid platform "${text}": ${rule}`);
    if (parts.some((p) => p === ''))
        throw bad('expected os/arch[/variant], e.g. linux/amd64 or linux/arm/v7');
    if (parts.length > 3)
        throw bad('too many parts; expected os/arch[/variant]');
    if (parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
        throw bad('each part may hold only letters, digits, ".", "_" and "-"');
    }
    if (parts.length === 1) {
        // containerd: a lone OS name means that OS on this machine's architecture; anything else is an architecture.
        const one = parts[0].toLowerCase();
        if (KNOWN_OS.has(one))
            return normalizePlatform({ ...hostPlatform(), os: one });
        if (!KNOWN_ARCH.has(ARCH_ALIASES[one] ?? one))
            throw bad(`unknown operating system or architecture "${parts[0]}"`);
        return normalizePlatform({ os: 'linux', architecture: one });
    }
    const [os, architecture, variant] = parts;
    return normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) });
}
/** `linux/arm64`, `linux/arm/v7` (normalised). */
function formatPlatform(p) {
    const n = normalizePlatform(p);
    return [n.os, n.architecture, n.variant].filter(Boolean).join('/');
}
/** Same os, architecture and variant after normalisation. */
function samePlatform(a, b) {
    return formatPlatform(a) === formatPlatform(b);
}
/** Arm variants a wanted arm variant can run, best first (containerd's matcher). */
function compatibleVariants(p) {
    const n = normalizePlatform(p);
    if (n.architecture !== 'arm')
        return [n];
    const order = ['v8', 'v7', 'v6', 'v5'];
    const start = order.indexOf(n.variant ?? 'v7');
    if (start < 0)
        return [n];
    return order.slice(start).map((variant) => ({ ...n, variant }));
}
/** Index entries that are images for some platform: attestations and unknown platforms left out. */
function imageEntries(index) {
    return index.manifests.filter((d) => {
        if (d.annotations?.['vnd.docker.reference.type'] !== undefined)
            return false;
        if (d.mediaType && !isManifestMediaType(d.mediaType))
            return false;
        const p = d.platform;
        if (!p?.os || !p.architecture)
            return false;
        return p.os !== 'unknown' && p.architecture !== 'unknown';
    });
}
/**
 * The index entry for `platform`: an exact match (after normalisation) wins;
 * an arm platform falls back to older arm variants it can run. Windows
 * entries with an os.version are matched on os/arch only (the first wins).
 */
function selectManifest(index, platform, what) {
    const entries = imageEntries(index);
    for (const want of compatibleVariants(platform)) {
        const hit = entries.find((d) => samePlatform(d.platform, want));
        if (hit)
            return hit;
    }
    const available = [...new Set(entries.map((d) => formatPlatform(d.platform)))];
    throw new PlatformNotFoundError(formatPlatform(platform), available, what);
}

;// CONCATENATED MODULE: ./src/dockerfile/platform.ts


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
    /** The state before any input. */
    start() {
        const set = this.fresh();
        const list = [];
        this.close(set, 0, 0, list);
        return { set, list };
    }
    /** The state after reading cps from `state`; undefined once nothing can match any more. */
    advance(state, cps) {
        let cur = state.set;
        let curList = state.list;
        for (const c of cps) {
            if (curList.length === 0)
                return undefined;
            const next = this.fresh();
            const nextList = [];
            this.step(cur, curList, c, next, nextList);
            cur = next;
            curList = nextList;
        }
        return curList.length > 0 ? { set: cur, list: curList } : undefined;
    }
    /** True when the input read to reach `state` is a whole match. */
    accepts(state) {
        return this.accepting(state.set) !== -1;
    }
    /** The states after reading all of cps from the start; undefined once none is left. */
    run(cps) {
        return this.advance(this.start(), cps)?.set;
    }
    /** True when the whole of cps matches. */
    matchesCodePoints(cps) {
        const end = this.run(cps);
        return end !== undefined && this.accepting(end) !== -1;
    }
    matches(s) {
        return this.matchesCodePoints(toCodePoints(s).cps);
    }
    /** True when some continuation of prefix (possibly empty) could make a full match. */
    couldMatchAfter(prefix) {
        return this.run(toCodePoints(prefix).cps) !== undefined;
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
    /** This glob as a DFA built lazily (for walkers that match many names). */
    dfa() {
        this.cachedDfa ??= new GlobDfa(this);
        return this.cachedDfa;
    }
    cachedDfa;
    /** The same pattern read backwards (for suffix trimming). */
    reversed() {
        if (this.tail || this.tokens.some((t) => t.k === 'dirs'))
            throw new Error('glob with ** cannot be reversed');
        return new Glob([...this.tokens].reverse(), false);
    }
}
/** DFA states built past this many are not cached (a pathological pattern stays linear, just slower). */
const DFA_STATE_LIMIT = 4096;
/**
 * A glob's NFA turned into a DFA one transition at a time, as names are
 * read: each (state, code point) is simulated once and then looked up, so
 * matching many names costs a map lookup per code point. State -1 is dead.
 */
class GlobDfa {
    glob;
    states = [];
    ids = new Map();
    start;
    constructor(glob) {
        this.glob = glob;
        this.start = this.intern(glob.start());
    }
    intern(nfa) {
        if (!nfa)
            return -1;
        const key = [...nfa.list].sort((a, b) => a - b).join(',');
        const known = this.ids.get(key);
        if (known !== undefined)
            return known;
        const id = this.states.length;
        this.states.push({ nfa, accepting: this.glob.accepts(nfa), next: new Map() });
        if (this.states.length <= DFA_STATE_LIMIT)
            this.ids.set(key, id);
        return id;
    }
    /** The state after reading cps from `state` (-1: nothing can match any more). */
    advance(state, cps) {
        let s = state;
        for (let i = 0; i < cps.length && s !== -1; i++) {
            const st = this.states[s];
            const c = cps[i];
            let n = st.next.get(c);
            if (n === undefined) {
                n = this.intern(this.glob.advance(st.nfa, [c]));
                if (this.states.length <= DFA_STATE_LIMIT)
                    st.next.set(c, n);
            }
            s = n;
        }
        return s;
    }
    accepts(state) {
        return state !== -1 && this.states[state].accepting;
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
const str = (ch) => String.fromCodePoint(ch);
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
                throw new ShellWordError(n === undefined ? 'invalid escape at the end of the pattern' : `invalid escape '\\${str(n)}'`);
            }
        }
        else
            tokens.push({ k: 'lit', c: ch });
    }
    return new Glob(tokens);
}
/** Go's Regexp.Expand for a template without capture groups: `$$` → `$`, `$0`/`${0}` → the match. */
function expandTemplate(template, match, check) {
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
        if (name === '0') {
            out += match;
            check(out);
        }
        i = end - 1;
    }
    return out;
}
/** Go's Regexp.ReplaceAllString with a leftmost-longest glob; `check` sees the result as it grows (and may throw). */
function replaceAll(value, glob, replacement, check = () => { }) {
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
            out += expandTemplate(replacement, value.slice(offsets[a], offsets[b]), check);
        check(out);
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
 *
 * Expansion is bounded (BuildKit has no bound; a few lines of doubling ARGs
 * reach gigabytes): an expanded word may be 1 MiB at most, checked as it
 * grows, and a lexer given an ExpansionBudget refuses to produce more than
 * the budget's limit over all its words.
 */



/** The longest word an expansion may produce, in UTF-16 units (about 1 MiB of text). */
const MAX_EXPANDED_WORD = 1 << 20;
/** What the expansions of one scope may produce in all (shared by its lexers and carried to clones). */
class ExpansionBudget {
    limit;
    used;
    constructor(limit, used = 0) {
        this.limit = limit;
        this.used = used;
    }
    charge(n) {
        this.used += n;
        if (this.used > this.limit) {
            throw new ShellWordError(`the expansions of this stage total more than ${mib(this.limit)}: Kiln stops runaway ARG/ENV expansion there`);
        }
    }
    copy() {
        return new ExpansionBudget(this.limit, this.used);
    }
}
function mib(n) {
    return `${n / (1 << 20)} MiB`;
}
/** Throws when an expansion grew past MAX_EXPANDED_WORD. */
function checkWordSize(s) {
    if (s.length > MAX_EXPANDED_WORD) {
        throw new ShellWordError(`the expansion is longer than ${mib(MAX_EXPANDED_WORD)}: Kiln stops runaway ARG/ENV expansion there (put values that large in a file)`);
    }
    return s;
}
const EOF = -1;
const shell_lex_c = (s) => s.codePointAt(0);
const DOLLAR = shell_lex_c('$');
const SQUOTE = shell_lex_c("'");
const DQUOTE = shell_lex_c('"');
const LBRACE = shell_lex_c('{');
const shell_lex_RBRACE = shell_lex_c('}');
const COLON = shell_lex_c(':');
const shell_lex_SLASH = shell_lex_c('/');
const LESS = shell_lex_c('<');
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
        // No white space (as isSpaceCode has it; \s also covers U+FEFF, which then takes the slow path): one piece.
        if (!/[\s\u0085]/u.test(s)) {
            if (s.length > 0)
                this.addRawString(s);
            return;
        }
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
class ShellLex {
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
            this.options.budget?.charge(result.length);
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
                    result = checkWordSize(result + tmp);
                    words.addString(tmp);
                }
                else if (ch === LESS && this.options.heredocWhitespace) {
                    const tmp = this.processPossibleHeredoc();
                    result += tmp;
                    words.addRawString(tmp);
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
    /** `<`, or `<<` with the blanks (space, tab, CR) that follow it. */
    processPossibleHeredoc() {
        this.next();
        if (this.peek() !== LESS)
            return '<';
        this.next();
        let out = '<<';
        for (let p = this.peek(); p === 0x20 || p === 0x09 || p === 0x0d; p = this.peek())
            out += shell_lex_str(this.next());
        return out;
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
                result = checkWordSize(result + this.processDollar());
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
            return replaceAll(v, glob, replacement, checkWordSize);
        const { cps, offsets } = toCodePoints(v);
        const m = glob.search(cps, 0);
        if (!m)
            return v;
        return checkWordSize(v.slice(0, offsets[m[0]]) + replacement + v.slice(offsets[m[1]]));
    }
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
 * - Expansion is bounded: a word 1 MiB (shell-lex.ts), and everything the
 *   meta ARGs, or one stage (with the stage it is built FROM), expand 64 MiB
 *   in all; past that the instruction's line gets an error.
 */


const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** What the expansions of the meta ARGs, or of one stage, may produce in all. */
const MAX_SCOPE_EXPANSION = 64 << 20;
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
    const lex = new ShellLex(escapeToken, { budget: new ExpansionBudget(MAX_SCOPE_EXPANSION) });
    for (const instr of metaArgs) {
        for (const arg of instr.args) {
            const given = buildArgs.get(arg.name);
            if (given !== undefined)
                globals.set(arg.name, given);
            else if (arg.defaultValue !== undefined) {
                const d = arg.defaultValue;
                globals.set(arg.name, atLocation(instr.location, () => lex.processWord(d, globals)));
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
    budget;
    lex;
    rawLex;
    constructor(opts, 
    /** What expansions and RUN see: config env, then ENV and ARG values, later wins. */
    env, 
    /** The image config's Env, in order (duplicates of the base kept). */
    config, args, budget) {
        this.opts = opts;
        this.env = env;
        this.config = config;
        this.args = args;
        this.budget = budget;
        this.lex = new ShellLex(opts.escapeToken, { budget });
        this.rawLex = new ShellLex('\\', { skipProcessQuotes: true, budget });
    }
    /** The scope at the start of a stage built on an image (or scratch: baseEnv []). */
    static forImage(opts) {
        const config = opts.baseEnv.map(splitEnv);
        if (!config.some(([k]) => k === 'PATH'))
            config.push(['PATH', DEFAULT_PATH]);
        return new StageScope(opts, new Map(config), config, [], new ExpansionBudget(MAX_SCOPE_EXPANSION));
    }
    /**
     * The scope at the start of a stage built FROM this (finished) stage: ENV,
     * ARGs and what was expanded carry over. `globalArgs`: the global values later ARGs get, when
     * they differ from this stage's (a stage shared by the builds of several
     * target platforms, continued for one of them).
     */
    clone(globalArgs) {
        return new StageScope(globalArgs ? { ...this.opts, globalArgs } : this.opts, new Map(this.env), this.config.map(([k, v]) => [k, v]), this.args.map((a) => ({ ...a })), this.budget.copy());
    }
    get(name) {
        return this.env.get(name);
    }
    /** The names set in the scope (config env, ENV, ARG values), in the order they were first set. */
    names() {
        return [...this.env.keys()];
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

;// CONCATENATED MODULE: ./src/dockerfile/syntax.ts
/**
 * The `# syntax=` directive. Kiln implements Docker's own Dockerfile
 * frontend (`docker/dockerfile`, also `docker/dockerfile-upstream`): a
 * reference to it selects the syntax of that version, where versions differ
 * in what Kiln implements (FEATURES below); any other frontend image is an
 * error naming it, unless the caller asks to ignore the directive. No
 * directive means the newest syntax, as a current `docker build` gives.
 *
 * The reference is the directive's first word (BuildKit passes the rest to
 * the frontend as arguments). Accepted: `[docker.io/]docker/dockerfile`
 * with no tag, `latest`, `labs`, `1`, `1.N`, `1.N.M` (a pre-release suffix
 * such as `-rc1` allowed), each optionally `-labs`, and the upstream
 * image's `master`/`master-labs`, each optionally pinned `@sha256:…`.
 */

/** The newest syntax Kiln implements (no directive, `docker/dockerfile:1`, `latest`). */
const LATEST_SYNTAX = {
    version: { major: 1 },
    labs: false,
    description: 'Dockerfile syntax: the newest (docker/dockerfile:1)',
};
/** Syntax features whose availability depends on the version, with the version that made each stable. */
const FEATURES = {
    /** `RUN <<EOF` heredocs (1.3 in -labs). */
    heredocs: { since: [1, 4], labsSince: [1, 3] },
    /** COPY/ADD --link. */
    link: { since: [1, 4] },
    /** ADD --keep-git-dir and --checksum. */
    addGitAndChecksum: { since: [1, 5] },
    /** HEALTHCHECK --start-interval. */
    startInterval: { since: [1, 6] },
    /** Build checks and the `# check=` directive. */
    checks: { since: [1, 8] },
    /** White space between `<<` and the heredoc delimiter (`RUN << EOF`). */
    heredocWhitespace: { since: [1, 16] },
    /** ADD --unpack. */
    addUnpack: { since: [1, 17] },
    /** COPY/ADD --exclude (1.7 in -labs). */
    exclude: { since: [1, 19], labsSince: [1, 7] },
    /** COPY --parents (1.7 in -labs). */
    parents: { since: [1, 20], labsSince: [1, 7] },
    /** `# check=` comments right above an instruction (apply to it only). */
    checkComments: { since: [1, 21] },
};
/** Minor-version availability: `since` [1, N] means 1.N and later. */
function atLeast(version, since) {
    return version.minor === undefined || version.minor >= since[1];
}
function hasFeature(syntax, feature) {
    const f = FEATURES[feature];
    if (atLeast(syntax.version, f.since))
        return true;
    return syntax.labs && f.labsSince !== undefined && atLeast(syntax.version, f.labsSince);
}
/** `1.N` of a feature, for messages. */
function featureSince(feature) {
    return `1.${FEATURES[feature].since[1]}`;
}
function formatVersion(v) {
    if (v.minor === undefined)
        return '1';
    return v.patch === undefined ? `1.${v.minor}` : `1.${v.minor}.${v.patch}`;
}
const FRONTEND = /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?docker\/(dockerfile|dockerfile-upstream)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;
const VERSION_TAG = /^1(?:\.(\d+)(?:\.(\d+))?)?(?:-(?:rc|beta|alpha)\.?\d*)?(-labs)?$/;
/** Parses a frontend reference; undefined when it is not Docker's Dockerfile frontend. */
function parseFrontendRef(ref) {
    const m = FRONTEND.exec(ref);
    if (!m)
        return undefined;
    const tag = m[2];
    if (tag === undefined || tag === 'latest' || tag === 'master') {
        return { ref, version: { major: 1 }, labs: false };
    }
    if (tag === 'labs' || tag === 'master-labs')
        return { ref, version: { major: 1 }, labs: true };
    const v = VERSION_TAG.exec(tag);
    if (!v)
        return undefined;
    const version = { major: 1 };
    if (v[1] !== undefined)
        version.minor = Number(v[1]);
    if (v[2] !== undefined)
        version.patch = Number(v[2]);
    return { ref, version, labs: v[3] !== undefined };
}
/**
 * The syntax a Dockerfile asks for. `value` is the directive's value (its
 * first word is the reference), `line` where it is. Throws DockerfileError
 * for a frontend Kiln does not implement.
 */
function resolveSyntax(file, directive, opts = {}) {
    const from = opts.override
        ? { value: opts.override, line: undefined, what: 'the BUILDKIT_SYNTAX build arg' }
        : directive
            ? { ...directive, what: '# syntax=' }
            : undefined;
    if (!from)
        return LATEST_SYNTAX;
    const ref = from.value.trim().split(/\s+/)[0] ?? '';
    if (opts.ignoreSyntax) {
        return { ...LATEST_SYNTAX, description: `Dockerfile syntax: the newest (${from.what}${ref} ignored)` };
    }
    const parsed = parseFrontendRef(ref);
    if (!parsed) {
        throw new DockerfileError(file, from.line, `${from.what === '# syntax=' ? `# syntax=${ref}` : `BUILDKIT_SYNTAX=${ref}`}: Kiln implements only Docker's ` +
            `Dockerfile frontend (docker/dockerfile:1, :1.N, :1.N.M, -labs); it cannot run the frontend image ${ref}. ` +
            "Remove the directive, or pass --ignore-syntax to build it with Kiln's own Dockerfile syntax");
    }
    const channel = parsed.labs ? ' (labs)' : '';
    const digestOnly = ref.includes('@') && !/:[^/@]+@/.test(ref);
    const pinned = digestOnly ? ', pinned by digest only: version unknown, the newest used' : '';
    return {
        ...parsed,
        description: `Dockerfile syntax ${formatVersion(parsed.version)}${channel} from ${from.what}${ref}${pinned}`,
    };
}

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_namespaceObject);
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
const HEREDOC_WORD_LEX = new ShellLex('\\', { skipUnsetEnv: true });
const HEREDOC_WORD_LEX_RAW = new ShellLex('\\', { skipUnsetEnv: true, rawQuotes: true });
const HEREDOC_LINE_LEX = new ShellLex('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
const HEREDOC_LINE_LEX_WS = new ShellLex('\\', {
    rawQuotes: true,
    rawEscapes: true,
    skipUnsetEnv: true,
    heredocWhitespace: true,
});
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
/**
 * The heredoc markers on a RUN/COPY/ADD line, in order. With `whitespace`
 * (dockerfile 1.16+) `<< EOF` is one word, so a marker; `<<- EOF` stays two
 * words (`<<-`, `EOF`) and is none, exactly as BuildKit's lexer splits it.
 */
function heredocsFromLine(line, whitespace = true) {
    let words;
    try {
        words = (whitespace ? HEREDOC_LINE_LEX_WS : HEREDOC_LINE_LEX).processWords(line, NO_ENV);
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

;// CONCATENATED MODULE: ./src/csv-record.ts
/**
 * One CSV record as Go's encoding/csv reads a line (what BuildKit and buildx
 * parse `--mount` and `--secret` values with): commas split, a field that
 * starts with a double quote runs to the closing one, `""` inside quotes is
 * a quote.
 */
class CsvError extends Error {
    name = 'CsvError';
}
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
        throw new CsvError('unterminated quote');
    fields.push(field);
    return fields;
}

;// CONCATENATED MODULE: ./src/dockerfile/run-mount.ts
/**
 * `RUN --mount=...`, `--network=...`, `--security=...`: parsed and checked
 * like BuildKit (instructions/commands_runmount.go). A `--mount` value whose
 * fields use variables is checked as far as its literal fields allow when
 * the Dockerfile is parsed, and parsed again with the stage's ARG/ENV at
 * dispatch (expandRunMount), as BuildKit does.
 */


const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING = ['shared', 'private', 'locked'];
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
/** The fields of a `--mount` value (CSV, as BuildKit reads it). */
function mountFields(text) {
    try {
        return csvFields(text);
    }
    catch (e) {
        if (e instanceof CsvError)
            throw new LineError(`--mount=${text}: ${e.message}`);
        throw e;
    }
}
function parseBool(text, field) {
    const t = text.toLowerCase();
    if (['1', 't', 'true'].includes(t))
        return true;
    if (['0', 'f', 'false'].includes(t))
        return false;
    throw new LineError(`invalid value for ${field}: expected true or false`);
}
const RAM_UNITS = {
    '': 1,
    k: 1024,
    m: 1024 ** 2,
    g: 1024 ** 3,
    t: 1024 ** 4,
    p: 1024 ** 5,
};
/** docker/go-units RAMInBytes: `64m`, `1.5g`, `512KiB`, `1048576` (binary multiples). */
function parseRamSize(text) {
    const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
    if (!m)
        throw new LineError(`invalid value for size: ${text} (use bytes or a size such as 64m or 1g)`);
    return Math.floor(Number(m[1]) * RAM_UNITS[(m[2] ?? '').toLowerCase()]);
}
function parseUint(text, radix, field) {
    const ok = radix === 8 ? /^[0-7]+$/.test(text) : /^\d+$/.test(text);
    const n = ok ? Number.parseInt(text, radix) : Number.NaN;
    if (!Number.isInteger(n) || n > 0xffffffff) {
        throw new LineError(`invalid value ${text} for ${field}${radix === 8 ? ' (an octal mode such as 0755)' : ''}`);
    }
    return n;
}
function hasVariable(field) {
    const eq = field.indexOf('=');
    return eq >= 0 && field.slice(eq + 1).includes('$');
}
/**
 * Parses one `--mount` value. `expand` (the stage scope) expands every
 * value; without it, fields holding a variable are kept for dispatch.
 */
function parseRunMount(value, expand) {
    const all = mountFields(value);
    for (const f of all) {
        if (/^from=/i.test(f) && /\$./.test(f.slice(5))) {
            throw new LineError("'from' doesn't support variable expansion, define alias stage instead");
        }
    }
    if (!expand && all.some(hasVariable)) {
        // Checked as far as the literal fields go; parsed for good at dispatch.
        const typeKnown = !all.some((f) => /^type=/i.test(f) && hasVariable(f));
        const partial = build(all.filter((f) => f.includes('=') && !hasVariable(f)), (v) => v, false, typeKnown);
        return { ...partial, raw: value };
    }
    return build(all, expand ?? ((v) => v), true);
}
/** The mount with its variables expanded against the stage's scope (BuildKit expands at dispatch). */
function expandRunMount(m, expand) {
    return m.raw === undefined ? m : parseRunMount(m.raw, expand);
}
/**
 * `complete`: every field is there (else some wait for dispatch);
 * `typeKnown`: the type is known (checks that depend on it can run).
 */
function build(fields, expand, complete, typeKnown = true) {
    let type = 'bind';
    let readonly;
    const options = {};
    const mount = { options };
    const fileInfo = [];
    const typed = (check) => {
        if (typeKnown)
            check();
    };
    for (const field of fields) {
        if (field === '')
            continue;
        const eq = field.indexOf('=');
        const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
        if (eq < 0) {
            if (key === 'readonly' || key === 'ro')
                readonly = true;
            else if (key === 'readwrite' || key === 'rw')
                readonly = false;
            else if (key === 'required') {
                if (type !== 'secret' && type !== 'ssh')
                    throw new LineError(`unexpected key 'required' for mount type '${type}'`);
                options.required = 'true';
            }
            else
                throw new LineError(`invalid field '${field}' in --mount: it must be a key=value pair`);
            continue;
        }
        const v = expand(field.slice(eq + 1));
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
                readonly = parseBool(v, key);
                break;
            case 'readwrite':
            case 'rw':
                readonly = !parseBool(v, key);
                break;
            case 'required':
                typed(() => {
                    if (type !== 'secret' && type !== 'ssh')
                        throw new LineError(`unexpected key 'required' for mount type '${type}'`);
                });
                options.required = String(parseBool(v, key));
                break;
            case 'size':
                typed(() => {
                    if (type !== 'tmpfs')
                        throw new LineError(`unexpected key 'size' for mount type '${type}'`);
                });
                parseRamSize(v);
                break;
            case 'sharing':
                if (!SHARING.includes(v.toLowerCase())) {
                    throw new LineError(`unsupported sharing value ${JSON.stringify(v)} (use ${SHARING.join(', ')})`);
                }
                options.sharing = v.toLowerCase();
                break;
            case 'mode':
                parseUint(v, 8, key);
                fileInfo.push(key);
                break;
            case 'uid':
            case 'gid':
                parseUint(v, 10, key);
                fileInfo.push(key);
                break;
            default:
                break;
        }
    }
    typed(() => {
        if (type !== 'secret' && type !== 'ssh' && type !== 'cache' && fileInfo.length > 0) {
            throw new LineError(`${fileInfo[0]} not allowed for "${type}" type mounts`);
        }
        if (options.sharing !== undefined && type !== 'cache') {
            throw new LineError(`invalid cache sharing set for ${type} mount`);
        }
        if (type === 'secret') {
            if (mount.from !== undefined)
                throw new LineError('secret mount should not have a from');
            if (complete && !mount.source && !mount.target && !options.id) {
                throw new LineError('invalid secret mount. one of source, target required');
            }
            if (mount.source && options.id)
                throw new LineError("both source and id can't be set");
        }
        if (type === 'ssh' && mount.source)
            throw new LineError('ssh does not support source');
    });
    readonly ??= !(type === 'cache' || type === 'tmpfs');
    return { type, readonly, ...mount };
}
/** The typed options of a parsed (and expanded) mount; defaults are applied by the executor. */
function mountOptions(m) {
    const o = m.options;
    return {
        ...(o.id === undefined ? {} : { id: o.id }),
        ...(o.sharing === undefined ? {} : { sharing: o.sharing }),
        ...(o.mode === undefined ? {} : { mode: parseUint(o.mode, 8, 'mode') }),
        ...(o.uid === undefined ? {} : { uid: parseUint(o.uid, 10, 'uid') }),
        ...(o.gid === undefined ? {} : { gid: parseUint(o.gid, 10, 'gid') }),
        ...(o.env === undefined ? {} : { env: o.env }),
        ...(o.size === undefined || m.type !== 'tmpfs' ? {} : { sizeBytes: parseRamSize(o.size) }),
        required: o.required === 'true',
    };
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






const instruction_parser_KNOWN = [
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
    const args = node.args.slice(0, -1);
    for (const [i, src] of args.entries()) {
        if (/^\d*<<-?$/.test(src) && i + 1 < args.length) {
            throw new LineError(`${name} ${src} ${args[i + 1]}: with a space after ${src}, BuildKit copies files named "${src}" and ` +
                `"${args[i + 1]}" instead of a heredoc (only RUN takes "<< ${args[i + 1]}"); write ${src}${args[i + 1]}`);
        }
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
/** Flags that exist only from some syntax version on, by instruction. */
const GATED_FLAGS = {
    copy: { link: 'link', exclude: 'exclude', parents: 'parents' },
    add: {
        link: 'link',
        exclude: 'exclude',
        'keep-git-dir': 'addGitAndChecksum',
        checksum: 'addGitAndChecksum',
        unpack: 'addUnpack',
    },
    healthcheck: { 'start-interval': 'startInterval' },
};
/** A flag the Dockerfile's `# syntax=` version does not have yet is an error saying which version has it. */
function checkGatedFlags(node, syntax) {
    const gated = GATED_FLAGS[node.keyword];
    if (!gated)
        return;
    for (const raw of node.flags) {
        const name = raw.slice(2).split('=')[0];
        const feature = gated[name];
        if (feature && !hasFeature(syntax, feature)) {
            throw new LineError(`${node.keyword.toUpperCase()} --${name} needs Dockerfile syntax ${featureSince(feature)} or later, ` +
                `but ${syntax.ref ? `# syntax=${syntax.ref}` : 'the syntax'} selects ${formatVersion(syntax.version)}${syntax.labs ? '-labs' : ''}: ` +
                'raise the version in the # syntax= line (or remove it)');
        }
    }
}
function typed(node, location, syntax) {
    const base = { location, original: trimSpace(node.original) };
    const NAME = node.keyword.toUpperCase();
    checkGatedFlags(node, syntax);
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
                mounts: flags.strings('mount').map((m) => parseRunMount(m)),
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
            throw new LineError(`unknown instruction ${JSON.stringify(node.keywordAsWritten)}${suggestion(node.keyword, instruction_parser_KNOWN)}`);
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
function typeNode(node, file, syntax = LATEST_SYNTAX) {
    const location = { file, startLine: node.startLine, endLine: node.endLine };
    try {
        return typed(node, location, syntax);
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
        comments: [],
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
/** `<<- WORD` (or, without 1.16's white space rule, `<< WORD`): looks like a heredoc, is none. */
function heredocLookalike(line, whitespace) {
    for (const m of line.matchAll(/(?:^|\s)(\d*<<(-?)[ \t]+[^\s<]+)/g)) {
        if (m[2] === '-' || !whitespace)
            return m[1];
    }
    return undefined;
}
/** Parses Dockerfile text into nodes. Throws DockerfileError naming file and line. */
function parseNodes(text, file, opts = {}) {
    const lines = new Lines(text, file);
    let escapeToken = '\\';
    let directivesDone = false;
    // A `#!` first line: syntax and check directives may follow it (BuildKit's DetectSyntax), escape not.
    let afterShebang = false;
    const directives = [];
    const nodes = [];
    let syntax;
    let comments = [];
    const syntaxNow = () => {
        syntax ??= resolveSyntax(file, directives.find((d) => d.name === 'syntax'), opts);
        return syntax;
    };
    for (let phys = lines.take(); phys !== undefined; phys = lines.take()) {
        let line = trimLeftSpace(trimNewline(phys.text));
        let isDirective = false;
        if (!directivesDone) {
            const d = matchDirective(line);
            const name = d?.name.toLowerCase();
            if (lines.line === 1 && line.startsWith('#!')) {
                afterShebang = true;
            }
            else if (d && (name === 'syntax' || name === 'check' || (name === 'escape' && !afterShebang))) {
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
                isDirective = true;
            }
            else {
                directivesDone = true;
                syntaxNow();
            }
        }
        if (line.startsWith('#')) {
            const comment = line.slice(1).trim();
            if (comment === '')
                comments = [];
            else if (!isDirective)
                comments.push(comment);
            line = '';
        }
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
        const lastLine = lines.line;
        let node;
        try {
            node = nodeFromLine(logical, escapeToken);
        }
        catch (err) {
            if (err instanceof LineError)
                throw new DockerfileError(file, startLine, err.message, lines.line);
            throw err;
        }
        if (emptyContinuation)
            node.emptyContinuationLine = lastLine;
        node.comments = comments;
        comments = [];
        const features = syntaxNow();
        if (logical.includes('<<') && canContainHeredoc(node) && hasFeature(features, 'heredocs')) {
            let markers;
            try {
                markers = heredocsFromLine(logical, hasFeature(features, 'heredocWhitespace'));
            }
            catch (err) {
                if (err instanceof LineError)
                    throw new DockerfileError(file, startLine, err.message, lines.line);
                throw err;
            }
            const lookalike = heredocLookalike(logical, hasFeature(features, 'heredocWhitespace'));
            if (lookalike)
                node.heredocLookalike = lookalike;
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
    return { escapeToken, syntax: syntaxNow(), directives, nodes };
}

;// CONCATENATED MODULE: ./src/dockerfile/dockerfile.ts
/**
 * parseDockerfile(): text → directives, nodes, typed instructions grouped in
 * stages, and the meta ARGs before the first FROM. parseInstruction() types a
 * single instruction line (ONBUILD triggers stored in a base image's config).
 */



/** The unknown-instruction error of a heredoc body line that BuildKit does not read as one, explained. */
function explainLookalike(err, previous) {
    if (!(err instanceof DockerfileError) || !previous?.heredocLookalike)
        return err;
    if (!err.detail.startsWith('unknown instruction'))
        return err;
    const l = previous.heredocLookalike;
    return new DockerfileError(err.file, err.line, `${err.detail}: line ${previous.startLine} has "${l}", which BuildKit does not read as a heredoc ` +
        `(no space may follow "<<-", and "<< WORD" needs Dockerfile syntax 1.16), so the lines after it are ` +
        `instructions; write "${l.replace(/[ \t]+/, '')}"`, err.endLine);
}
/**
 * Parses and types a Dockerfile. `file` is the name used in messages
 * (`Dockerfile:12: ...`). Throws DockerfileError.
 */
function parseDockerfile(text, file, opts = {}) {
    const { escapeToken, syntax, directives, nodes } = parseNodes(text, file, opts);
    const metaArgs = [];
    const stages = [];
    let previous;
    for (const node of nodes) {
        let instr;
        try {
            instr = typeNode(node, file, syntax);
        }
        catch (err) {
            throw explainLookalike(err, previous);
        }
        previous = node;
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
    return {
        file,
        escapeToken,
        directives,
        syntax,
        nodes,
        metaArgs,
        stages,
    };
}
/**
 * Parses one instruction (it may span lines: continuations, heredoc bodies).
 * With `at`, errors and the instruction's location point there instead (for
 * ONBUILD triggers: the FROM line of the stage that runs them, like BuildKit).
 */
function parseInstruction(text, file, at) {
    try {
        const { nodes, syntax } = parseNodes(text, file);
        if (nodes.length !== 1) {
            throw new DockerfileError(file, 1, `expected a single instruction, found ${nodes.length}`);
        }
        const node = nodes[0];
        if (at) {
            node.startLine = at.startLine;
            node.endLine = at.endLine;
        }
        return typeNode(node, at?.file ?? file, syntax);
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

;// CONCATENATED MODULE: ./src/dockerfile/checks/rules.ts
/**
 * BuildKit's build checks (frontend/dockerfile/linter/ruleset.go): the same
 * names, descriptions, documentation URLs and messages, and the Dockerfile
 * syntax version that introduced each (a `# syntax=` older than that does
 * not run it, as an older BuildKit frontend would not).
 */
const doc = (slug) => `https://docs.docker.com/go/dockerfile/rule/${slug}/`;
function rule(r, format) {
    return { ...r, format };
}
const RULES = {
    StageNameCasing: rule({
        name: 'StageNameCasing',
        description: 'Stage names should be lowercase',
        url: doc('stage-name-casing'),
        since: 8,
    }, (stageName) => `Stage name '${stageName}' should be lowercase`),
    FromAsCasing: rule({
        name: 'FromAsCasing',
        description: "The 'as' keyword should match the case of the 'from' keyword",
        url: doc('from-as-casing'),
        since: 8,
    }, (from, as) => `'${as}' and '${from}' keywords' casing do not match`),
    NoEmptyContinuation: rule({
        name: 'NoEmptyContinuation',
        description: 'Empty continuation lines will become errors in a future release',
        url: doc('no-empty-continuation'),
        since: 8,
    }, () => 'Empty continuation line'),
    ConsistentInstructionCasing: rule({
        name: 'ConsistentInstructionCasing',
        description: 'All commands within the Dockerfile should use the same casing (either upper or lower)',
        url: doc('consistent-instruction-casing'),
        since: 8,
    }, (violating, casing) => `Command '${violating}' should match the case of the command majority (${casing})`),
    DuplicateStageName: rule({
        name: 'DuplicateStageName',
        description: 'Stage names should be unique',
        url: doc('duplicate-stage-name'),
        since: 8,
    }, (stageName) => `Duplicate stage name ${JSON.stringify(stageName)}, stage names should be unique`),
    ReservedStageName: rule({
        name: 'ReservedStageName',
        description: 'Reserved words should not be used as stage names',
        url: doc('reserved-stage-name'),
        since: 8,
    }, (name) => `Stage name should not use the same name as reserved stage ${JSON.stringify(name)}`),
    JSONArgsRecommended: rule({
        name: 'JSONArgsRecommended',
        description: 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
        url: doc('json-args-recommended'),
        since: 8,
    }, (instruction) => `JSON arguments recommended for ${instruction} to prevent unintended behavior related to OS signals`),
    MaintainerDeprecated: rule({
        name: 'MaintainerDeprecated',
        description: 'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
        url: doc('maintainer-deprecated'),
        since: 8,
    }, () => 'Maintainer instruction is deprecated in favor of using label'),
    UndefinedArgInFrom: rule({
        name: 'UndefinedArgInFrom',
        description: 'FROM command must use declared ARGs',
        url: doc('undefined-arg-in-from'),
        since: 8,
    }, (arg, suggest) => `FROM argument '${arg}' is not declared${suggest ? ` (did you mean ${suggest}?)` : ''}`),
    WorkdirRelativePath: rule({
        name: 'WorkdirRelativePath',
        description: 'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
        url: doc('workdir-relative-path'),
        since: 8,
    }, (workdir) => `Relative workdir ${JSON.stringify(workdir)} can have unexpected results if the base image changes`),
    UndefinedVar: rule({
        name: 'UndefinedVar',
        description: 'Variables should be defined before their use',
        url: doc('undefined-var'),
        since: 8,
    }, (arg, suggest) => `Usage of undefined variable '$${arg}'${suggest ? ` (did you mean $${suggest}?)` : ''}`),
    MultipleInstructionsDisallowed: rule({
        name: 'MultipleInstructionsDisallowed',
        description: 'Multiple instructions of the same type should not be used in the same stage',
        url: doc('multiple-instructions-disallowed'),
        since: 8,
    }, (instruction) => `Multiple ${instruction} instructions should not be used in the same stage because only the last one will be used`),
    LegacyKeyValueFormat: rule({
        name: 'LegacyKeyValueFormat',
        description: 'Legacy key/value format with whitespace separator should not be used',
        url: doc('legacy-key-value-format'),
        since: 8,
    }, (cmd) => `"${cmd} key=value" should be used instead of legacy "${cmd} key value" format`),
    InvalidBaseImagePlatform: rule({
        name: 'InvalidBaseImagePlatform',
        description: 'Base image platform does not match expected target platform',
        since: 8,
    }, (image, expected, actual) => `Base image ${image} was pulled with platform ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)} for current build`),
    RedundantTargetPlatform: rule({
        name: 'RedundantTargetPlatform',
        description: 'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
        url: doc('redundant-target-platform'),
        since: 9,
    }, (platformVar) => `Setting platform to predefined ${platformVar} in FROM is redundant as this is the default behavior`),
    SecretsUsedInArgOrEnv: rule({
        name: 'SecretsUsedInArgOrEnv',
        description: 'Sensitive data should not be used in the ARG or ENV commands',
        url: doc('secrets-used-in-arg-or-env'),
        since: 9,
    }, (instruction, key) => `Do not use ARG or ENV instructions for sensitive data (${instruction} ${JSON.stringify(key)})`),
    InvalidDefaultArgInFrom: rule({
        name: 'InvalidDefaultArgInFrom',
        description: 'Default value for global ARG results in an empty or invalid base image name',
        url: doc('invalid-default-arg-in-from'),
        since: 9,
    }, (baseName) => `Default value for ARG ${baseName} results in empty or invalid base image name`),
    FromPlatformFlagConstDisallowed: rule({
        name: 'FromPlatformFlagConstDisallowed',
        description: 'FROM --platform flag should not use a constant value',
        url: doc('from-platform-flag-const-disallowed'),
        since: 9,
    }, (platform) => `FROM --platform flag should not use constant value ${JSON.stringify(platform)}`),
    CopyIgnoredFile: rule({
        name: 'CopyIgnoredFile',
        description: 'Attempting to Copy file that is excluded by .dockerignore',
        url: doc('copy-ignored-file'),
        since: 9,
    }, (cmd, file) => `Attempting to ${cmd} file ${JSON.stringify(file)} that is excluded by .dockerignore`),
    InvalidDefinitionDescription: rule({
        name: 'InvalidDefinitionDescription',
        description: 'Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.',
        url: doc('invalid-definition-description'),
        since: 11,
        experimental: true,
    }, (instruction, name) => `Comment for ${instruction} should follow the format: \`# ${name} <description>\``),
    ExposeProtoCasing: rule({
        name: 'ExposeProtoCasing',
        description: 'Protocol in EXPOSE instruction should be lowercase',
        url: doc('expose-proto-casing'),
        since: 18,
    }, (port) => `Defined protocol '${port}' in EXPOSE instruction should be lowercase`),
    ExposeInvalidFormat: rule({
        name: 'ExposeInvalidFormat',
        description: 'IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release',
        url: doc('expose-invalid-format'),
        since: 18,
    }, (port) => `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`),
};
/** Every rule, in BuildKit's order. */
const ALL_RULES = Object.values(RULES);

;// CONCATENATED MODULE: ./src/dockerfile/checks/stage-base.ts


function stageBase(df, stage, globalArgs) {
    const lex = new ShellLex(df.escapeToken);
    let platform;
    if (stage.from.platform !== undefined) {
        try {
            platform = parsePlatform(lex.processWord(stage.from.platform, globalArgs));
        }
        catch {
            platform = undefined;
        }
    }
    let name = stage.from.image;
    try {
        name = lex.processWord(stage.from.image, globalArgs);
    }
    catch {
        // Left as written.
    }
    const lower = name.toLowerCase();
    for (let i = stage.index - 1; i >= 0; i--) {
        if (df.stages[i].name === lower)
            return { stage: df.stages[i] };
    }
    if (name === 'scratch')
        return {};
    return platform ? { image: name, platform } : { image: name };
}

;// CONCATENATED MODULE: ./src/dockerfile/checks/suggest.ts
/**
 * BuildKit's util/suggest.Search: the option closest to a value by
 * Levenshtein distance, if that distance is under 3; none when the value
 * itself is an option. Ties go to the option met first.
 */
function levenshtein(a, b) {
    const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diag = prev[0];
        prev[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const up = prev[j];
            prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
            diag = up;
        }
    }
    return prev[b.length];
}
function matchCase(value, orig) {
    if (orig === orig.toLowerCase())
        return value.toLowerCase();
    if (orig === orig.toUpperCase())
        return value.toUpperCase();
    return value;
}
function suggestName(value, options, caseSensitive) {
    const v = caseSensitive ? value : value.toLowerCase();
    let match = '';
    let min = 3;
    for (const option of options) {
        const o = caseSensitive ? option : option.toLowerCase();
        if (o === v)
            return '';
        const d = levenshtein(v, o);
        if (d < min) {
            match = caseSensitive ? o : matchCase(o, value);
            min = d;
        }
    }
    return match;
}

;// CONCATENATED MODULE: ./src/dockerfile/checks/dispatch-checks.ts
/**
 * Checks BuildKit runs while it dispatches each stage's instructions
 * (dockerfile2llb dispatch*), replayed here over the stage's ARG/ENV scope:
 * UndefinedVar, LegacyKeyValueFormat, SecretsUsedInArgOrEnv,
 * WorkdirRelativePath, JSONArgsRecommended, MultipleInstructionsDisallowed,
 * ExposeProtoCasing, ExposeInvalidFormat, CopyIgnoredFile and
 * InvalidBaseImagePlatform. A stage built FROM an earlier stage starts from
 * that stage's scope, SHELL and WORKDIR state; one built on an image from
 * the image's config (Env, Shell, OnBuild), when the caller knows it.
 */









/** BuildKit never exports these to the environment. */
const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);
const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const NOT_SECRET = /(?:_|^)(?:public|file|version)(?:_|$)/i;
function isSecretName(key) {
    return SECRET.test(key) && !NOT_SECRET.test(key);
}
/** `ENV key value` / `LABEL key value` (no `=` in the first word): BuildKit's legacy form. */
function isLegacyKeyValue(instr, escapeToken) {
    const { rest } = splitCommand(instr.original);
    const first = parseWords(rest, escapeToken)[0];
    return first !== undefined && !first.includes('=');
}
function keyword(instr) {
    return splitCommand(instr.original).cmd;
}
/** EXPOSE `[ip:][hostPort:]containerPort[/proto]`: the parts BuildKit's portSpecs looks at. */
function splitPort(raw) {
    const parts = raw.split(':');
    const n = parts.length;
    const ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
    const hostPort = n >= 2 ? parts[n - 2] : '';
    const container = parts[n - 1];
    const slash = container.indexOf('/');
    return { ip, hostPort, proto: slash < 0 ? '' : container.slice(slash + 1) };
}
/** ADD's remote sources (URLs, git) are not context files; `github.com/o/r` is a path to BuildKit here. */
function isUrlOrGit(src) {
    return /^(https?|git|ssh):\/\//i.test(src) || /^[\w.-]+@[\w.-]+:/.test(src);
}
/** Go's path.Clean for context-relative sources. */
function cleanSource(src) {
    const c = external_node_path_default().posix.normalize(src);
    return c.length > 1 ? c.replace(/\/+$/, '') : c;
}
/** A `.dockerignore` that ignores every entry at the root (`*`, `**`, `**\/*`). */
function ignoresRoot(ignore) {
    return ignore.patterns.some((p) => !p.pattern.startsWith('!') && ['*', '**', '**/*'].includes(p.pattern));
}
function dispatchChecks(df, input, lint, commentsOf) {
    const lex = new ShellLex(df.escapeToken);
    const rawLex = new ShellLex('\\', { skipProcessQuotes: true });
    const finished = new Map();
    const ignore = input.dockerignore?.patterns.length ? input.dockerignore : undefined;
    for (const index of input.stages) {
        const stage = df.stages[index];
        const base = stageBase(df, stage, input.globalArgs);
        const inherited = base.stage ? finished.get(base.stage.index) : undefined;
        const info = input.baseImages.get(index);
        const state = inherited
            ? { scope: inherited.scope.clone(), shell: inherited.shell, workdirSet: inherited.workdirSet }
            : {
                scope: StageScope.forImage({
                    baseEnv: info?.env ?? [],
                    buildArgs: input.buildArgs,
                    globalArgs: input.globalArgs,
                    escapeToken: df.escapeToken,
                }),
                shell: info?.shell ?? [],
                workdirSet: false,
            };
        // The pulled base must be for the platform this stage asked for.
        if (base.image && info?.platform) {
            const expected = base.platform ?? input.targetPlatform;
            if (expected.os !== info.platform.os || expected.architecture !== info.platform.architecture) {
                lint
                    .withComments(commentsOf(stage.from.location.startLine))
                    .run(RULES.InvalidBaseImagePlatform, stage.from.location, RULES.InvalidBaseImagePlatform.format(base.image, formatPlatform(expected), formatPlatform(info.platform)));
            }
        }
        const triggers = base.stage
            ? base.stage.instructions.flatMap((i) => (i.kind === 'onbuild' ? [i.expression] : []))
            : (info?.onBuild ?? []);
        const onbuild = [];
        for (const t of triggers) {
            try {
                onbuild.push(parseOnbuildTrigger(t, stage.from.location));
            }
            catch {
                // The build reports it.
            }
        }
        const used = new Map();
        for (const instr of [...onbuild, ...stage.instructions]) {
            const own = lint.withComments(onbuild.includes(instr) ? [] : commentsOf(instr.location.startLine));
            dispatchOne(instr, state, own, used);
        }
        finished.set(index, state);
    }
    function dispatchOne(instr, state, own, used) {
        const at = instr.location;
        const scope = state.scope;
        const report = (unmatched) => {
            if (unmatched.size === 0)
                return;
            const declared = new Set(scope.declaredArgs().map((a) => a.name));
            for (const name of unmatched) {
                if (declared.has(name) || NON_ENV_ARGS.has(name))
                    continue;
                const options = scope.names();
                own.run(RULES.UndefinedVar, at, RULES.UndefinedVar.format(name, suggestName(name, options, true)));
            }
        };
        const expand = (word) => {
            if (word === undefined || word === '')
                return word ?? '';
            try {
                const r = lex.process(word, scope);
                report(r.unmatched);
                return r.result;
            }
            catch {
                return word;
            }
        };
        const expandRaw = (word) => {
            try {
                report(rawLex.process(word, scope).unmatched);
            }
            catch {
                // The build reports it.
            }
        };
        const once = (kind) => {
            // Reported at the earlier one: that is the instruction that has no effect.
            const previous = used.get(kind);
            if (previous) {
                own.run(RULES.MultipleInstructionsDisallowed, previous, RULES.MultipleInstructionsDisallowed.format(keyword(instr)));
            }
            used.set(kind, at);
        };
        switch (instr.kind) {
            case 'env':
            case 'label': {
                const name = keyword(instr);
                const pairs = instr.pairs.map((p) => ({ key: expand(p.key), value: expand(p.value) }));
                if (isLegacyKeyValue(instr, df.escapeToken)) {
                    own.run(RULES.LegacyKeyValueFormat, at, RULES.LegacyKeyValueFormat.format(name));
                }
                if (instr.kind === 'env') {
                    for (const p of pairs) {
                        if (isSecretName(p.key))
                            own.run(RULES.SecretsUsedInArgOrEnv, at, RULES.SecretsUsedInArgOrEnv.format('ENV', p.key));
                    }
                    scope.applyEnv(pairs);
                }
                return;
            }
            case 'arg':
                for (const arg of instr.args) {
                    if (isSecretName(arg.name))
                        own.run(RULES.SecretsUsedInArgOrEnv, at, RULES.SecretsUsedInArgOrEnv.format('ARG', arg.name));
                    if (!input.buildArgs.has(arg.name) && arg.defaultValue !== undefined)
                        expand(arg.defaultValue);
                    try {
                        scope.applyArg({ ...instr, args: [arg] });
                    }
                    catch {
                        // The build reports it.
                    }
                }
                return;
            case 'copy':
            case 'add': {
                expand(instr.chown);
                expand(instr.chmod);
                if (instr.kind === 'add')
                    expand(instr.checksum);
                const sources = instr.sources.map((s) => expand(s));
                expand(instr.dest);
                for (const c of instr.sourceContents)
                    if (c.expand)
                        expandRaw(c.data);
                const fromContext = instr.kind === 'add' || instr.from === undefined;
                if (ignore && !ignore.hasExceptions && fromContext) {
                    for (const src of sources) {
                        if (instr.kind === 'add' && isUrlOrGit(src))
                            continue;
                        const clean = cleanSource(src);
                        if ((clean === '.' || clean === '/') && !ignoresRoot(ignore))
                            continue;
                        if (ignore.matches(clean)) {
                            own.run(RULES.CopyIgnoredFile, at, RULES.CopyIgnoredFile.format(instr.kind === 'add' ? 'Add' : 'Copy', clean));
                        }
                    }
                }
                return;
            }
            case 'workdir': {
                const p = expand(instr.path);
                if (!state.workdirSet && !p.startsWith('/')) {
                    own.run(RULES.WorkdirRelativePath, at, RULES.WorkdirRelativePath.format(p));
                }
                state.workdirSet = true;
                return;
            }
            case 'user':
                expand(instr.user);
                return;
            case 'volume':
                for (const v of instr.volumes)
                    expand(v);
                return;
            case 'stopsignal':
                expand(instr.signal);
                return;
            case 'run':
                for (const m of instr.mounts)
                    for (const v of Object.values(m.options))
                        expand(v);
                return;
            case 'shell':
                state.shell = instr.shell;
                return;
            case 'cmd':
            case 'entrypoint': {
                once(instr.kind === 'cmd' ? 'CMD' : 'ENTRYPOINT');
                if (instr.command.form === 'shell' && state.shell.length === 0) {
                    own.run(RULES.JSONArgsRecommended, at, RULES.JSONArgsRecommended.format(keyword(instr)));
                }
                return;
            }
            case 'healthcheck':
                once('HEALTHCHECK');
                return;
            case 'expose':
                for (const written of instr.ports) {
                    let ports;
                    try {
                        ports = lex.processWords(written, scope);
                    }
                    catch {
                        continue;
                    }
                    for (const raw of ports) {
                        const { ip, hostPort, proto } = splitPort(raw);
                        if (proto !== proto.toLowerCase())
                            own.run(RULES.ExposeProtoCasing, at, RULES.ExposeProtoCasing.format(raw));
                        if (ip !== '' || hostPort !== '')
                            own.run(RULES.ExposeInvalidFormat, at, RULES.ExposeInvalidFormat.format(raw));
                    }
                }
                return;
            case 'from':
            case 'maintainer':
            case 'onbuild':
                return;
        }
    }
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

;// CONCATENATED MODULE: ./src/dockerfile/checks/from-checks.ts
/**
 * Checks on FROM lines against the global ARGs (BuildKit's
 * buildDispatchStates and validateBaseImagesWithDefaultArgs):
 * InvalidDefaultArgInFrom, UndefinedArgInFrom, RedundantTargetPlatform,
 * FromPlatformFlagConstDisallowed.
 */






/** Predefined ARGs BuildKit knows beyond Kiln's (always empty on Linux). */
const EXTRA_PREDEFINED = ['BUILDOSVERSION', 'TARGETOSVERSION'];
function tryProcess(lex, word, env) {
    try {
        return lex.process(word, env);
    }
    catch {
        return undefined;
    }
}
function validReference(ref) {
    try {
        parseReference(ref);
        return true;
    }
    catch {
        return false;
    }
}
function fromChecks(df, input, lint, commentsOf) {
    const lex = new ShellLex(df.escapeToken);
    const predefined = (args) => platformArgs(input.buildPlatform, input.targetPlatform, input.targetStage, args);
    // With the ARG defaults only (no build args), every base must still be a valid name.
    let defaults;
    try {
        defaults = resolveGlobalArgs(df.metaArgs, new Map(), predefined(input.buildArgs), df.escapeToken);
    }
    catch {
        defaults = undefined;
    }
    if (defaults) {
        for (const stage of df.stages) {
            const r = tryProcess(lex, stage.from.image, defaults);
            if (!r)
                break;
            if (!validReference(r.result)) {
                lint.run(RULES.InvalidDefaultArgInFrom, stage.from.location, RULES.InvalidDefaultArgInFrom.format(stage.from.image));
            }
        }
    }
    let globals;
    try {
        globals = resolveGlobalArgs(df.metaArgs, input.buildArgs, predefined(input.buildArgs), df.escapeToken);
    }
    catch {
        return;
    }
    const argKeys = new Set([
        ...df.metaArgs.flatMap((a) => a.args.map((d) => d.name)),
        ...globals.keys(),
    ]);
    for (const k of EXTRA_PREDEFINED)
        argKeys.add(k);
    const undeclared = (r, own, at) => {
        for (const name of r.unmatched) {
            if (argKeys.has(name))
                continue;
            own.run(RULES.UndefinedArgInFrom, at, RULES.UndefinedArgInFrom.format(name, suggestName(name, argKeys, true)));
        }
    };
    for (const stage of df.stages) {
        const at = stage.from.location;
        const own = lint.withComments(commentsOf(at.startLine));
        const base = tryProcess(lex, stage.from.image, globals);
        if (base)
            undeclared(base, own, at);
        const platform = stage.from.platform;
        if (platform === undefined)
            continue;
        const p = tryProcess(lex, platform, globals);
        if (!p)
            continue;
        undeclared(p, own, at);
        // $TARGETPLATFORM alone, expanded to the target platform: the default anyway.
        if (p.matched.size === 1 &&
            p.unmatched.size === 0 &&
            p.matched.has('TARGETPLATFORM') &&
            p.result === globals.get('TARGETPLATFORM')) {
            own.run(RULES.RedundantTargetPlatform, at, RULES.RedundantTargetPlatform.format(platform));
        }
        // A constant platform, unless the stage's name says which platform it is for.
        if (p.matched.size === 0 && p.unmatched.size === 0) {
            let parsed;
            try {
                parsed = parsePlatform(p.result);
            }
            catch {
                parsed = undefined;
            }
            const name = stage.name ?? '';
            if (parsed && !name.includes(parsed.os) && !name.includes(parsed.architecture)) {
                own.run(RULES.FromPlatformFlagConstDisallowed, at, RULES.FromPlatformFlagConstDisallowed.format(p.result));
            }
        }
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/checks/linter.ts
/**
 * Which checks run and what they found: BuildKit's `# check=` options
 * (`skip=Rule1,Rule2|all`, `error=true|false`, `experimental=Rule|all`,
 * separated by `;`), the BUILDKIT_DOCKERFILE_CHECK build arg that replaces
 * them, and the same options in a comment right above an instruction
 * (dockerfile 1.21), which apply to that instruction only.
 */

const DEFAULT_CHECK_CONFIG = {
    skipAll: false,
    skip: new Set(),
    experimentalAll: false,
    experimental: new Set(),
    error: false,
};
class CheckOptionError extends Error {
    name = 'CheckOptionError';
}
const list = (v) => v.split(',').map((r) => r.trim());
/** BuildKit's ParseLintOptions. Throws CheckOptionError. */
function parseCheckOptions(text) {
    const t = text.trim();
    if (t === '')
        return DEFAULT_CHECK_CONFIG;
    const out = { ...DEFAULT_CHECK_CONFIG };
    // Go's strings.SplitN(s, ";", 3): a third part keeps any further ';'.
    const parts = t.split(';');
    const limited = parts.length > 3 ? [...parts.slice(0, 2), parts.slice(2).join(';')] : parts;
    for (const p of limited) {
        const eq = p.indexOf('=');
        if (eq < 0)
            throw new CheckOptionError(`invalid check option ${JSON.stringify(p)}`);
        const k = p.slice(0, eq).trim();
        const v = p.slice(eq + 1).trim();
        switch (k) {
            case 'skip':
                if (v === 'all')
                    out.skipAll = true;
                else
                    out.skip = new Set(list(v));
                break;
            case 'experimental':
                if (v === 'all')
                    out.experimentalAll = true;
                else
                    out.experimental = new Set(list(v));
                break;
            case 'error': {
                const b = parseGoBool(v);
                if (b === undefined) {
                    throw new CheckOptionError(`failed to parse check option ${JSON.stringify(p)}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
                }
                out.error = b;
                break;
            }
            default:
                throw new CheckOptionError(`invalid check option ${JSON.stringify(k)}`);
        }
    }
    return out;
}
function parseGoBool(v) {
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v))
        return true;
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v))
        return false;
    return undefined;
}
/** `other` added onto `base` (skips and experimental rules add up; error is kept from base). */
function mergeConfig(base, other) {
    return {
        skipAll: base.skipAll || other.skipAll,
        skip: new Set([...base.skip, ...other.skip]),
        experimentalAll: base.experimentalAll || other.experimentalAll,
        experimental: new Set([...base.experimental, ...other.experimental]),
        error: base.error,
    };
}
/** `check=…` in a comment (the text after `#`): the options, or undefined when the comment is none. */
function checkComment(comment) {
    const m = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(comment.trimStart());
    if (!m || m[1].toLowerCase() !== 'check')
        return undefined;
    return m[2].split(' ')[0];
}
/** Collects findings; a view made for one instruction's comments shares them. */
class Linter {
    config;
    syntaxMinor;
    findings;
    comments;
    constructor(config, 
    /** Dockerfile syntax 1.N in use: rules newer than it do not run. */
    syntaxMinor, findings = [], 
    /** Per-instruction `# check=` comments are honoured (dockerfile 1.21). */
    comments = true) {
        this.config = config;
        this.syntaxMinor = syntaxMinor;
        this.findings = findings;
        this.comments = comments;
    }
    run(rule, location, message) {
        if (this.syntaxMinor !== undefined && this.syntaxMinor < rule.since)
            return;
        const c = this.config;
        if (rule.experimental) {
            if (!c.experimentalAll && !c.experimental.has(rule.name))
                return;
        }
        else if (c.skipAll || c.skip.has(rule.name))
            return;
        this.findings.push({
            rule: rule.name,
            description: rule.description,
            ...(rule.url ? { url: rule.url } : {}),
            message,
            location,
        });
    }
    /** The linter for one instruction: the first `# check=` comment above it adds its options (invalid ones are ignored). */
    withComments(comments) {
        if (!this.comments)
            return this;
        for (const comment of comments) {
            const text = checkComment(comment);
            if (text === undefined)
                continue;
            try {
                return new Linter(mergeConfig(this.config, parseCheckOptions(text)), this.syntaxMinor, this.findings);
            }
            catch {
                return this;
            }
        }
        return this;
    }
    /** Findings sorted by line, then message (BuildKit reports them in this order). */
    results() {
        return [...this.findings].sort((a, b) => a.location.startLine - b.location.startLine ||
            (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    }
    /** With `error=true` and findings: the build's error (BuildKit's "lint violation found for rules: …"). */
    error() {
        if (!this.config.error || this.findings.length === 0)
            return undefined;
        const first = this.results()[0];
        const rules = [...new Set(this.findings.map((f) => f.rule))].sort();
        return DockerfileError.at(first.location, `lint violation found for rules: ${rules.join(', ')} (the # check= directive sets error=true)`);
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/checks/parse-checks.ts

const RESERVED_STAGE_NAMES = new Set(['context', 'scratch']);
function nodeLocation(file, node) {
    return { file, startLine: node.startLine, endLine: node.endLine };
}
const lower = (s) => s === s.toLowerCase();
const upper = (s) => s === s.toUpperCase();
/** `# name <description>`: the last comment above a FROM … AS name or ARG name should start with the name. */
function definitionDescription(lint, instruction, keys, node, at) {
    const last = node.comments[node.comments.length - 1];
    if (last === undefined || keys.length === 0)
        return;
    if (keys.includes(last.split(' ')[0]))
        return;
    const example = keys.length > 1 ? '<arg_key>' : keys[0];
    lint.run(RULES.InvalidDefinitionDescription, at, RULES.InvalidDefinitionDescription.format(instruction, example));
}
function parseChecks(df, lint) {
    const { file } = df;
    let inStages = false;
    let lowerCount = 0;
    let upperCount = 0;
    const staged = [];
    for (const node of df.nodes) {
        const at = nodeLocation(file, node);
        if (node.emptyContinuationLine !== undefined) {
            const l = node.emptyContinuationLine;
            lint.run(RULES.NoEmptyContinuation, { file, startLine: l, endLine: l }, RULES.NoEmptyContinuation.format());
        }
        const own = lint.withComments(node.comments);
        switch (node.keyword) {
            case 'maintainer':
                own.run(RULES.MaintainerDeprecated, at, RULES.MaintainerDeprecated.format());
                break;
            case 'from': {
                inStages = true;
                const [, as, name] = node.args;
                if (node.args.length === 3 && !lower(name)) {
                    own.run(RULES.StageNameCasing, at, RULES.StageNameCasing.format(name));
                }
                const cmd = node.keywordAsWritten;
                // Mixed-case FROM is ConsistentInstructionCasing's business, not this rule's.
                if (node.args.length >= 3 && (lower(cmd) ? !lower(as) : upper(cmd) && !upper(as))) {
                    own.run(RULES.FromAsCasing, at, RULES.FromAsCasing.format(cmd, as));
                }
                if (node.args.length === 3 && as.toLowerCase() === 'as') {
                    definitionDescription(own, 'FROM', [name.toLowerCase()], node, at);
                }
                break;
            }
            case 'arg':
                definitionDescription(own, 'ARG', node.args.map((w) => w.split('=')[0]), node, at);
                break;
        }
        if (!inStages)
            continue;
        const cmd = node.keywordAsWritten;
        if (lower(cmd))
            lowerCount++;
        else if (upper(cmd))
            upperCount++;
        staged.push({ name: cmd, at });
    }
    // Stage names: reserved words and duplicates (lower-cased, as stages are named).
    const seen = new Set();
    for (const stage of df.stages) {
        if (stage.name === undefined)
            continue;
        const at = stage.from.location;
        if (RESERVED_STAGE_NAMES.has(stage.name)) {
            lint.run(RULES.ReservedStageName, at, RULES.ReservedStageName.format(stage.name));
        }
        if (seen.has(stage.name))
            lint.run(RULES.DuplicateStageName, at, RULES.DuplicateStageName.format(stage.name));
        seen.add(stage.name);
    }
    // Instruction casing: each must be all lower or all upper, and match the majority (ties: upper).
    const majorityLower = lowerCount > upperCount;
    for (const { name, at } of staged) {
        const casing = majorityLower && !lower(name) ? 'lowercase' : !majorityLower && !upper(name) ? 'uppercase' : undefined;
        if (casing) {
            lint.run(RULES.ConsistentInstructionCasing, at, RULES.ConsistentInstructionCasing.format(name, casing));
        }
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/checks/index.ts
/**
 * runChecks(): BuildKit's build checks on a parsed Dockerfile. Every build
 * runs them (findings are warnings; `# check=error=true` makes them fail the
 * build) and `kiln check` / `kiln build --check` runs them alone.
 *
 * What the checks need beyond the Dockerfile comes in CheckOptions: build
 * args and platforms (FROM checks), the base images' configs (UndefinedVar
 * sees their Env, JSONArgsRecommended their Shell, InvalidBaseImagePlatform
 * their platform) and the context's .dockerignore (CopyIgnoredFile).
 */










/** The build arg that replaces the `# check=` directive (BuildKit's). */
const CHECK_BUILD_ARG = 'BUILDKIT_DOCKERFILE_CHECK';
/** The check configuration: the build arg if given, else the `# check=` directive. Throws DockerfileError. */
function checkConfig(df, buildArgs) {
    const fromArg = buildArgs.get(CHECK_BUILD_ARG);
    const directive = df.directives.find((d) => d.name === 'check');
    const text = fromArg ?? directive?.value.split(' ')[0] ?? '';
    try {
        return parseCheckOptions(text);
    }
    catch (err) {
        if (!(err instanceof CheckOptionError))
            throw err;
        const where = fromArg !== undefined ? `--build-arg ${CHECK_BUILD_ARG}` : '# check=';
        throw new DockerfileError(df.file, fromArg !== undefined ? undefined : directive?.line, `failed to parse check options (${where}): ${err.message}; write skip=Rule1,Rule2;error=true`);
    }
}
/** TARGETSTAGE of a check run: the target, else the last stage's name. */
function targetStageOf(df, target) {
    return target || df.stages[df.stages.length - 1]?.name || 'default';
}
/** The global ARGs (predefined and meta ARGs, build args applied); undefined when they cannot be resolved. */
function checkGlobalArgs(df, opts) {
    try {
        const stage = targetStageOf(df, opts.target);
        const predefined = platformArgs(opts.buildPlatform, opts.targetPlatform, stage, opts.buildArgs);
        return resolveGlobalArgs(df.metaArgs, opts.buildArgs, predefined, df.escapeToken);
    }
    catch {
        return undefined; // The build reports it.
    }
}
function runChecks(df, opts) {
    if (!hasFeature(df.syntax, 'checks'))
        return { ran: false, findings: [] };
    const lint = new Linter(checkConfig(df, opts.buildArgs), df.syntax.version.minor, [], hasFeature(df.syntax, 'checkComments'));
    const comments = new Map(df.nodes.map((n) => [n.startLine, n.comments]));
    const commentsOf = (line) => comments.get(line) ?? [];
    const targetStage = targetStageOf(df, opts.target);
    parseChecks(df, lint);
    fromChecks(df, {
        buildArgs: opts.buildArgs,
        buildPlatform: opts.buildPlatform,
        targetPlatform: opts.targetPlatform,
        targetStage,
    }, lint, commentsOf);
    const globalArgs = checkGlobalArgs(df, opts);
    if (globalArgs) {
        dispatchChecks(df, {
            buildArgs: opts.buildArgs,
            globalArgs,
            targetPlatform: opts.targetPlatform,
            stages: opts.stages ?? df.stages.map((s) => s.index),
            baseImages: opts.baseImages ?? new Map(),
            ...(opts.dockerignore ? { dockerignore: opts.dockerignore } : {}),
        }, lint, commentsOf);
    }
    const error = lint.error();
    return { ran: true, findings: lint.results(), ...(error ? { error } : {}) };
}
/** `Dockerfile:3: JSONArgsRecommended: JSON arguments … (https://docs.docker.com/…)`, one line. */
function formatFinding(f) {
    return `${f.location.file}:${f.location.startLine}: ${f.rule}: ${f.message}${f.url ? ` (${f.url})` : ''}`;
}

;// CONCATENATED MODULE: ./src/dockerfile/dispatch-values.ts
/**
 * Checks BuildKit makes at dispatch on expanded values, as functions of the
 * expanded instruction that return what goes into the image config. Errors
 * name the instruction's line.
 */


const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);
function parsePort(text) {
    if (!/^\d+$/.test(text))
        return undefined;
    const n = Number(text);
    return n <= 65535 ? n : undefined;
}
/**
 * EXPOSE (expanded) → the config's ExposedPorts keys (`80/tcp`), sorted and
 * unique. Accepts `80`, `80/udp`, `8000-8002/tcp` and, like Docker,
 * `[ip:]hostPort:containerPort` (only the container port counts).
 */
function exposedPorts(instr) {
    const keys = new Set();
    for (const raw of instr.ports) {
        const parts = raw.split(':');
        const container = parts[parts.length - 1];
        const slash = container.split('/');
        const port = slash[0];
        const proto = (slash.length > 1 && slash[1] !== '' ? slash[1] : 'tcp').toLowerCase();
        if (port === '')
            throw DockerfileError.at(instr.location, `EXPOSE ${raw}: no port specified`);
        const dash = port.indexOf('-');
        const start = parsePort(dash < 0 ? port : port.slice(0, dash));
        const end = dash < 0 ? start : parsePort(port.slice(dash + 1));
        if (start === undefined || end === undefined) {
            throw DockerfileError.at(instr.location, `EXPOSE ${raw}: invalid containerPort: ${port}`);
        }
        if (end < start)
            throw DockerfileError.at(instr.location, `EXPOSE ${raw}: invalid range specified for port: ${port}`);
        if (!PROTOCOLS.has(proto)) {
            throw DockerfileError.at(instr.location, `EXPOSE ${raw}: invalid proto: ${slash[1]} (use tcp, udp or sctp)`);
        }
        for (let p = start; p <= end; p++)
            keys.add(`${p}/${proto}`);
    }
    return [...keys].sort();
}
const SIGNALS = new Set([
    'ABRT',
    'ALRM',
    'BUS',
    'CHLD',
    'CLD',
    'CONT',
    'FPE',
    'HUP',
    'ILL',
    'INT',
    'IO',
    'IOT',
    'KILL',
    'PIPE',
    'POLL',
    'PROF',
    'PWR',
    'QUIT',
    'SEGV',
    'STKFLT',
    'STOP',
    'SYS',
    'TERM',
    'TRAP',
    'TSTP',
    'TTIN',
    'TTOU',
    'URG',
    'USR1',
    'USR2',
    'VTALRM',
    'WINCH',
    'XCPU',
    'XFSZ',
    'RTMIN',
    'RTMAX',
    ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
    ...Array.from({ length: 14 }, (_, i) => `RTMAX-${i + 1}`),
]);
/** STOPSIGNAL (expanded): a signal name (with or without SIG) or a non-zero number, as written. */
function stopSignal(instr) {
    const s = instr.signal;
    if (/^[+-]?\d+$/.test(s) ? Number(s) !== 0 : SIGNALS.has(s.toUpperCase().replace(/^SIG/, '')))
        return s;
    throw DockerfileError.at(instr.location, `invalid signal: ${s} (use a name such as SIGTERM or a number)`);
}
/** VOLUME (expanded): the paths; an empty one is an error. */
function volumes(instr) {
    if (instr.volumes.some((v) => v === '')) {
        throw DockerfileError.at(instr.location, 'VOLUME specified can not be an empty string');
    }
    return instr.volumes;
}
/** WORKDIR (expanded) relative to the current working directory (`''` = `/`): the new WorkingDir. */
function workdir(current, instr) {
    if (instr.path === '')
        throw DockerfileError.at(instr.location, 'WORKDIR cannot be empty');
    if (instr.path.startsWith('/'))
        return instr.path;
    const joined = external_node_path_namespaceObject.posix.join('/', current, instr.path);
    return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: ./src/dockerfile/pattern-matcher.ts
/**
 * Docker's path patterns (moby/patternmatcher), as used for .dockerignore:
 * `*` and `?` stay within a path component, `**` spans components, `[a-z]`
 * classes, `\` escapes, `!pattern` re-includes, the last matching pattern
 * wins, and a pattern matching a directory matches everything below it.
 * Matching runs on a linear-time NFA (glob.ts), not backtracking RegExps.
 *
 * Walkers use DirState: a directory carries the last pattern that matched
 * it or a parent, and only the later patterns that could still match below
 * it, each glob with its NFA already advanced past `dir/`. An entry is then
 * matched by its own name against those few patterns, instead of its whole
 * path and every parent against every pattern.
 */


class PatternError extends Error {
    pattern;
    index;
    name = 'PatternError';
    constructor(pattern, 
    /** Index of the pattern in the list given to PatternMatcher. */
    index, message) {
        super(message);
        this.pattern = pattern;
        this.index = index;
    }
}
function join(dir, name) {
    return dir === '' ? name : `${dir}/${name}`;
}
/** Go's path.Clean. */
function cleanPath(p) {
    if (p === '')
        return '.';
    const n = external_node_path_namespaceObject.posix.normalize(p);
    return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
const pattern_matcher_NEWLINE = 0x0a;
const pattern_matcher_SLASH = 0x2f;
/** Parses `[...]` starting at cps[i] === '['; returns the token and the index after ']'. */
function parseClass(cps, i) {
    let j = i + 1;
    let neg = false;
    if (cps[j] === 0x5e) {
        neg = true;
        j++;
    }
    const ranges = [];
    const item = () => {
        if (cps[j] === 0x5c)
            j++;
        const ch = cps[j];
        if (ch === undefined)
            throw new Error('unterminated [');
        j++;
        return ch;
    };
    for (let first = true;; first = false) {
        if (cps[j] === undefined)
            throw new Error('unterminated [');
        if (cps[j] === 0x5d && !first)
            break;
        const lo = item();
        let hi = lo;
        if (cps[j] === 0x2d && cps[j + 1] !== 0x5d && cps[j + 1] !== undefined) {
            j++;
            hi = item();
            if (hi < lo)
                throw new Error('invalid character range');
        }
        ranges.push([lo, hi]);
    }
    return [{ k: 'class', neg, ranges }, j + 1];
}
function compile(cleaned) {
    const { cps } = toCodePoints(cleaned);
    const tokens = [];
    let type = 'exact';
    for (let i = 0, iter = 0; i < cps.length; iter++) {
        const ch = cps[i++];
        if (ch === 0x2a) {
            if (cps[i] === 0x2a) {
                i++;
                if (cps[i] === pattern_matcher_SLASH)
                    i++;
                if (i >= cps.length) {
                    if (type === 'exact')
                        type = 'prefix';
                    else {
                        tokens.push({ k: 'star', not: [pattern_matcher_NEWLINE] });
                        type = 'glob';
                    }
                }
                else {
                    tokens.push({ k: 'dirs' });
                    type = 'glob';
                }
                if (iter === 0)
                    type = 'suffix';
            }
            else {
                tokens.push({ k: 'star', not: [pattern_matcher_SLASH] });
                type = 'glob';
            }
        }
        else if (ch === 0x3f) {
            tokens.push({ k: 'one', not: [pattern_matcher_SLASH] });
            type = 'glob';
        }
        else if (ch === 0x5c) {
            if (i < cps.length) {
                tokens.push({ k: 'lit', c: cps[i++] });
                type = 'glob';
            }
            else
                tokens.push({ k: 'lit', c: ch });
        }
        else if (ch === 0x5b) {
            const [tok, next] = parseClass(cps, i - 1);
            tokens.push(tok);
            i = next;
            type = 'glob';
        }
        else if (ch === 0x5d) {
            tokens.push({ k: 'lit', c: ch });
            type = 'glob';
        }
        else {
            // Go escapes . + ( ) | { } $ for its regexp: all literal.
            tokens.push({ k: 'lit', c: ch });
        }
    }
    return type === 'glob' ? { type, glob: new Glob(tokens, true) } : { type };
}
/** filepath.Match's syntax check: a trailing `\` or a broken class is an error. */
function checkSyntax(cleaned) {
    const { cps } = toCodePoints(cleaned);
    for (let i = 0; i < cps.length; i++) {
        if (cps[i] === 0x5c) {
            if (i === cps.length - 1)
                throw new Error('trailing backslash');
            i++;
        }
        else if (cps[i] === 0x5b) {
            i = parseClass(cps, i)[1] - 1;
        }
    }
}
function matchOne(p, path) {
    switch (p.type) {
        case 'exact':
            return path === p.cleaned;
        case 'prefix':
            return path.startsWith(p.cleaned.slice(0, -2));
        case 'suffix': {
            const suffix = p.cleaned.slice(2);
            if (path.endsWith(suffix))
                return true;
            return suffix[0] === '/' && path === suffix.slice(1);
        }
        case 'glob':
            return p.glob.matches(path);
        default: {
            const never = p.type;
            throw new Error(`unhandled match type ${String(never)}`);
        }
    }
}
/** Whether p could match some path strictly below dir. */
function couldMatchBelow(p, dir) {
    const prefix = `${dir}/`;
    switch (p.type) {
        case 'exact':
            return p.cleaned.startsWith(prefix);
        case 'prefix': {
            const s = p.cleaned.slice(0, -2);
            return prefix.startsWith(s) || s.startsWith(prefix);
        }
        case 'suffix':
            return true;
        case 'glob':
            return p.glob.couldMatchAfter(prefix);
        default: {
            const never = p.type;
            throw new Error(`unhandled match type ${String(never)}`);
        }
    }
}
const SLASH_CPS = [pattern_matcher_SLASH];
class PatternMatcher {
    patterns = [];
    hasExclusions;
    /** Throws PatternError (with the pattern's index) for an invalid pattern. */
    constructor(patterns) {
        patterns.forEach((raw, index) => {
            let p = raw.trim();
            if (p === '')
                return;
            p = cleanPath(p);
            let exclusion = false;
            if (p[0] === '!') {
                if (p.length === 1)
                    throw new PatternError(raw, index, 'illegal exclusion pattern: "!"');
                exclusion = true;
                p = p.slice(1);
            }
            try {
                checkSyntax(p);
                this.patterns.push({ text: raw, exclusion, cleaned: p, ...compile(p) });
            }
            catch (err) {
                throw new PatternError(raw, index, `syntax error in pattern ${JSON.stringify(raw)}: ${err.message}`);
            }
        });
        this.hasExclusions = this.patterns.some((p) => p.exclusion);
    }
    matchesOrParents(p, path, parents) {
        if (matchOne(p, path))
            return true;
        for (const parent of parents)
            if (matchOne(p, parent))
                return true;
        return false;
    }
    static parentsOf(path) {
        const parts = path.split('/');
        const out = [];
        for (let i = 1; i < parts.length; i++)
            out.push(parts.slice(0, i).join('/'));
        return out;
    }
    /** Index of the last pattern matching path (or a parent of it), -1 when none. */
    lastMatch(path) {
        const parents = PatternMatcher.parentsOf(path);
        for (let i = this.patterns.length - 1; i >= 0; i--) {
            if (this.matchesOrParents(this.patterns[i], path, parents))
                return i;
        }
        return -1;
    }
    /**
     * True when path (relative to the context, `/`-separated, cleaned) is
     * excluded: the last pattern matching it or one of its parent directories
     * is not a `!` exception. (patternmatcher's MatchesOrParentMatches.)
     */
    matches(path) {
        const i = this.lastMatch(path);
        return i >= 0 && !this.patterns[i].exclusion;
    }
    /** The state of the context root, for entry(). */
    rootState() {
        const live = [];
        for (let i = this.patterns.length - 1; i >= 0; i--) {
            const p = this.patterns[i];
            live.push(p.glob ? { index: i, p, state: p.glob.dfa().start } : { index: i, p });
        }
        return { dir: '', last: -1, live };
    }
    /** The state of a directory below the root (its parents' decisions do not matter here). */
    stateOf(dir) {
        let state = this.rootState();
        for (const name of dir === '' ? [] : dir.split('/')) {
            state = this.entry(state, name, true).state;
        }
        return state;
    }
    /**
     * What a walker does with `name` inside the directory of `parent`: the same
     * answers as matches() and canPruneDir() on the joined path.
     */
    entry(parent, name, isDir) {
        const path = join(parent.dir, name);
        const cps = toCodePoints(name).cps;
        let last = parent.last;
        const after = [];
        // Highest index first: the first match is the last pattern that matches.
        for (let k = 0; k < parent.live.length; k++) {
            const lp = parent.live[k];
            let hit;
            if (lp.state !== undefined) {
                const dfa = lp.p.glob.dfa();
                const s = dfa.advance(lp.state, cps);
                after[k] = s;
                hit = dfa.accepts(s);
            }
            else {
                hit = matchOne(lp.p, path);
            }
            if (hit) {
                // Lower patterns can no longer decide anything here or below.
                last = lp.index;
                break;
            }
        }
        const excluded = last >= 0 && !this.patterns[last].exclusion;
        if (!isDir)
            return { excluded, prune: false };
        const live = [];
        for (let k = 0; k < parent.live.length; k++) {
            const lp = parent.live[k];
            if (lp.index <= last)
                break;
            if (lp.state !== undefined) {
                const below = lp.p.glob.dfa().advance(after[k], SLASH_CPS);
                if (below !== -1)
                    live.push({ index: lp.index, p: lp.p, state: below });
            }
            else if (couldMatchBelow(lp.p, path)) {
                live.push(lp);
            }
        }
        const prune = excluded && !live.some((lp) => lp.p.exclusion);
        return { excluded, prune, state: { dir: path, last, live } };
    }
    /**
     * True when dir is excluded and no later `!` exception could match anything
     * inside it: a context walker may skip the whole directory.
     */
    canPruneDir(dir) {
        const last = this.lastMatch(dir);
        if (last < 0 || this.patterns[last].exclusion)
            return false;
        for (let j = last + 1; j < this.patterns.length; j++) {
            const p = this.patterns[j];
            if (p.exclusion && couldMatchBelow(p, dir))
                return false;
        }
        return true;
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/dockerignore.ts
/**
 * .dockerignore: which context files a build sees. Like buildx/BuildKit,
 * `<Dockerfile>.dockerignore` next to the Dockerfile wins over
 * `<context>/.dockerignore`. Lines are read like moby's dockerignore.ReadAll:
 * `#` in the first column starts a comment, blank lines are skipped, each
 * pattern is trimmed and cleaned (`..` and `.` resolved, a leading `/`
 * dropped), `!` marks an exception.
 */




/** Parses .dockerignore text into cleaned patterns with their line numbers. */
function parseDockerignore(text) {
    const out = [];
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
        let line = i === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
        if (line.startsWith('#'))
            return;
        line = line.trim();
        if (line === '')
            return;
        const invert = line[0] === '!';
        let pattern = invert ? line.slice(1).trim() : line;
        if (pattern.length > 0) {
            pattern = cleanPath(pattern);
            if (pattern.length > 1 && pattern[0] === '/')
                pattern = pattern.slice(1);
        }
        out.push({ pattern: invert ? `!${pattern}` : pattern, line: i + 1 });
    });
    return out;
}
/** A matcher over context-relative, `/`-separated paths (`src/app.ts`, no leading `./`). */
class IgnoreMatcher {
    patterns;
    file;
    matcher;
    /** `file` is used in error messages; patterns carry their line numbers. */
    constructor(patterns, file = '.dockerignore') {
        this.patterns = patterns;
        this.file = file;
        try {
            this.matcher = new PatternMatcher(patterns.map((p) => p.pattern));
        }
        catch (err) {
            if (err instanceof PatternError)
                throw new DockerfileError(file, patterns[err.index]?.line, err.message);
            throw err;
        }
    }
    /** True when the path is excluded from the context. */
    matches(relPath) {
        return this.matcher.matches(relPath);
    }
    /** What to do with an entry: include it, exclude it, or (a directory no exception reaches into) skip it whole. */
    decide(relPath, isDir) {
        const slash = relPath.lastIndexOf('/');
        const parent = this.stateOf(slash < 0 ? '' : relPath.slice(0, slash));
        const d = this.entry(parent, relPath.slice(slash + 1), isDir);
        return d.prune ? 'prune' : d.excluded ? 'exclude' : 'include';
    }
    /** For walkers: the state of a directory (relative to the context; '' is the root), to decide its entries by name. */
    stateOf(relDir) {
        return this.matcher.stateOf(relDir);
    }
    /** What a walker does with `name` in the directory of `parent` (the same answers as decide()). */
    entry(parent, name, isDir) {
        return this.matcher.entry(parent, name, isDir);
    }
    get hasExceptions() {
        return this.matcher.hasExclusions;
    }
}
async function readIfExists(file) {
    try {
        return await (0,promises_namespaceObject.readFile)(file, 'utf8');
    }
    catch (err) {
        if (err.code === 'ENOENT' ||
            err.code === 'ENOTDIR') {
            return undefined;
        }
        throw err;
    }
}
/**
 * Loads `<dockerfilePath>.dockerignore` if it exists, else
 * `<contextDir>/.dockerignore`, else an empty matcher.
 */
async function loadDockerignore(contextDir, dockerfilePath) {
    for (const file of [`${dockerfilePath}.dockerignore`, external_node_path_default().join(contextDir, '.dockerignore')]) {
        const text = await readIfExists(file);
        if (text !== undefined)
            return { source: file, matcher: new IgnoreMatcher(parseDockerignore(text), file) };
    }
    return { matcher: new IgnoreMatcher([]) };
}

;// CONCATENATED MODULE: ./src/dockerfile/instructions.ts
/** The instruction names Kiln knows, lower-case. */
const INSTRUCTION_KINDS = [
    'from',
    'run',
    'cmd',
    'entrypoint',
    'shell',
    'label',
    'env',
    'arg',
    'expose',
    'copy',
    'add',
    'maintainer',
    'user',
    'workdir',
    'volume',
    'stopsignal',
    'healthcheck',
    'onbuild',
];
/** For exhaustive switches: `default: return assertNever(instr)`. */
function assertNever(x) {
    throw new Error(`unhandled instruction ${JSON.stringify(x)}`);
}

;// CONCATENATED MODULE: ./src/dockerfile/expand.ts
/**
 * Dispatch-time expansion: the fields BuildKit expands, expanded against the
 * stage scope; everything else returned as is.
 *
 * Expanded: ENV and LABEL keys and values; COPY/ADD sources, dest, --chown,
 * --chmod, --exclude, ADD --checksum and the bodies of unquoted heredoc
 * sources; EXPOSE (split into words); USER; WORKDIR; VOLUME; STOPSIGNAL;
 * RUN --mount values (all but from=).
 * Not expanded: the RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK command (the shell does it),
 * ONBUILD (expanded when it fires), MAINTAINER, COPY --from (BuildKit refuses
 * variables there; planStages reports it), FROM (planStages expands it against
 * the global ARGs), ARG (StageScope.applyArg expands a default only when no
 * build arg replaces it).
 */



/** Returns a copy of instr with the BuildKit-expanded fields expanded; errors name the instruction's line. */
function expandInstruction(instr, scope) {
    return atLocation(instr.location, () => expandUnlocated(instr, scope));
}
function expandUnlocated(instr, scope) {
    const x = (w) => scope.expand(w);
    const opt = (w) => (w === undefined ? undefined : x(w));
    switch (instr.kind) {
        case 'env':
        case 'label':
            // All pairs against the scope before the instruction: `ENV a=1 b=$a` sees the old a.
            return { ...instr, pairs: instr.pairs.map((p) => ({ key: x(p.key), value: x(p.value) })) };
        case 'copy':
        case 'add': {
            const common = {
                sources: instr.sources.map(x),
                sourceContents: instr.sourceContents.map((c) => c.expand ? { ...c, data: scope.expandRaw(c.data) } : c),
                dest: x(instr.dest),
                exclude: instr.exclude.map(x),
            };
            const chown = opt(instr.chown);
            const chmod = opt(instr.chmod);
            if (instr.kind === 'copy') {
                return {
                    ...instr,
                    ...common,
                    ...(chown === undefined ? {} : { chown }),
                    ...(chmod === undefined ? {} : { chmod }),
                };
            }
            const checksum = opt(instr.checksum);
            return {
                ...instr,
                ...common,
                ...(chown === undefined ? {} : { chown }),
                ...(chmod === undefined ? {} : { chmod }),
                ...(checksum === undefined ? {} : { checksum }),
            };
        }
        case 'expose':
            return { ...instr, ports: instr.ports.flatMap((p) => scope.expandWords(p)) };
        case 'user':
            return { ...instr, user: x(instr.user) };
        case 'workdir':
            return { ...instr, path: x(instr.path) };
        case 'volume':
            return { ...instr, volumes: instr.volumes.map(x) };
        case 'stopsignal':
            return { ...instr, signal: x(instr.signal) };
        case 'run':
            return instr.mounts.some((m) => m.raw !== undefined)
                ? { ...instr, mounts: instr.mounts.map((m) => expandRunMount(m, x)) }
                : instr;
        case 'from':
        case 'cmd':
        case 'entrypoint':
        case 'shell':
        case 'arg':
        case 'maintainer':
        case 'healthcheck':
        case 'onbuild':
            return instr;
        default:
            return assertNever(instr);
    }
}

;// CONCATENATED MODULE: ./src/dockerfile/run-command.ts

/** Where BuildKit mounts the script of a `RUN <<EOF` whose body starts with `#!`. */
const HEREDOC_SCRIPT_DIR = '/dev/pipes/';
function isSingleHeredoc(command) {
    try {
        return parseHeredocWord(command) !== undefined;
    }
    catch {
        return false;
    }
}
function runCommandPlan(run) {
    if (run.command.form === 'exec')
        return { kind: 'exec', args: run.command.args };
    const command = run.command.command;
    const first = run.heredocs[0];
    if (!first)
        return { kind: 'shell', script: command };
    if (isSingleHeredoc(command)) {
        const data = first.chomp ? chompHeredocContent(first.content) : first.content;
        if (data.startsWith('#!')) {
            return { kind: 'file', path: `${HEREDOC_SCRIPT_DIR}${first.name}`, content: data, mode: 0o755 };
        }
        return { kind: 'shell', script: data };
    }
    let script = command;
    for (const h of run.heredocs)
        script += `\n${h.content}${h.name}`;
    return { kind: 'shell', script };
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
    atLocation(location, () => parseReference(ref));
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
    const lex = new ShellLex(df.escapeToken);
    const literal = atLocation(location, () => lex.processWord(from, stages_NO_ENV));
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
    const lex = new ShellLex(df.escapeToken);
    const planned = stages.map((stage) => {
        const loc = stage.from.location;
        const image = atLocation(loc, () => lex.processWord(stage.from.image, globalArgs));
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
            const platform = atLocation(loc, () => lex.processWord(expr, globalArgs));
            if (platform === '')
                throw DockerfileError.at(loc, `empty platform value from expression ${expr}`);
            atLocation(loc, () => parsePlatform(platform));
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
    // Depth-first with a stack of its own: a chain of thousands of stages must not overflow the call stack.
    const pending = [target.index];
    while (pending.length > 0) {
        const i = pending.pop();
        if (needed.has(i))
            continue;
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
        for (const d of [...deps[i]].reverse())
            pending.push(d.index);
        if (p.base.kind === 'stage')
            pending.push(p.base.index);
    }
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
/** Depth-first over the --from edges with explicit stacks (no recursion: chains may be thousands long). */
function checkCycles(df, deps) {
    const done = new Set();
    const onPath = [];
    /** Position of each stage on the path. */
    const at = new Map();
    /** The next edge to follow from each stage on the path. */
    const nextEdge = [];
    /** via[j]: where the edge from onPath[j] to onPath[j + 1] is written. */
    const via = [];
    for (let root = 0; root < deps.length; root++) {
        if (done.has(root))
            continue;
        onPath.push(root);
        at.set(root, 0);
        nextEdge.push(0);
        while (onPath.length > 0) {
            const top = onPath.length - 1;
            const i = onPath[top];
            const d = deps[i][nextEdge[top]];
            if (d === undefined) {
                onPath.pop();
                nextEdge.pop();
                at.delete(i);
                done.add(i);
                if (onPath.length > 0)
                    via.pop();
                continue;
            }
            nextEdge[top]++;
            const cycleAt = at.get(d.index);
            if (cycleAt !== undefined) {
                via.push(d.location);
                const names = [...onPath.slice(cycleAt), d.index].map((s) => df.stages[s].name ?? String(s));
                const path = names.length > 12
                    ? [...names.slice(0, 5), `… ${names.length - 10} more …`, ...names.slice(-5)]
                    : names;
                throw DockerfileError.at(via[cycleAt], `circular dependency detected on stage: ${names[0]} (${path.join(' -> ')}); a stage cannot copy from itself or from a stage that copies from it`);
            }
            if (done.has(d.index))
                continue;
            via.push(d.location);
            onPath.push(d.index);
            at.set(d.index, onPath.length - 1);
            nextEdge.push(0);
        }
    }
}

;// CONCATENATED MODULE: ./src/lib.ts
/**
 * Kiln's library entry: the Dockerfile front end (parser, typed
 * instructions, stage planner, ARG/ENV scope and word expansion,
 * .dockerignore matching) for other tools. See src/dockerfile/.
 */
















var __webpack_exports__ALL_RULES = __webpack_exports__.Uj;
var __webpack_exports__DEFAULT_PATH = __webpack_exports__.OM;
var __webpack_exports__DockerfileError = __webpack_exports__.tP;
var __webpack_exports__FEATURES = __webpack_exports__.Gv;
var __webpack_exports__HEREDOC_SCRIPT_DIR = __webpack_exports__.by;
var __webpack_exports__INSTRUCTION_KINDS = __webpack_exports__.xl;
var __webpack_exports__IgnoreMatcher = __webpack_exports__.Ds;
var __webpack_exports__LATEST_SYNTAX = __webpack_exports__.Ud;
var __webpack_exports__MAX_LINE_BYTES = __webpack_exports__.Oc;
var __webpack_exports__PLATFORM_ARG_NAMES = __webpack_exports__.wK;
var __webpack_exports__PROXY_ARG_NAMES = __webpack_exports__.z2;
var __webpack_exports__PatternMatcher = __webpack_exports__.PP;
var __webpack_exports__RULES = __webpack_exports__.y0;
var __webpack_exports__ShellLex = __webpack_exports__.Ei;
var __webpack_exports__ShellWordError = __webpack_exports__.F4;
var __webpack_exports__StageScope = __webpack_exports__.nI;
var __webpack_exports__assertNever = __webpack_exports__.xb;
var __webpack_exports__atLocation = __webpack_exports__.PE;
var __webpack_exports__chompHeredocContent = __webpack_exports__.jo;
var __webpack_exports__expandInstruction = __webpack_exports__.zO;
var __webpack_exports__exposedPorts = __webpack_exports__.LZ;
var __webpack_exports__formatFinding = __webpack_exports__.tf;
var __webpack_exports__formatPlatform = __webpack_exports__.Bq;
var __webpack_exports__hasFeature = __webpack_exports__.jI;
var __webpack_exports__hostPlatform = __webpack_exports__.ol;
var __webpack_exports__isProxyArg = __webpack_exports__.xU;
var __webpack_exports__loadDockerignore = __webpack_exports__.F5;
var __webpack_exports__normalizePlatform = __webpack_exports__.FL;
var __webpack_exports__parseDockerfile = __webpack_exports__.Ai;
var __webpack_exports__parseDockerignore = __webpack_exports__.yr;
var __webpack_exports__parseFrontendRef = __webpack_exports__.vp;
var __webpack_exports__parseInstruction = __webpack_exports__.ED;
var __webpack_exports__parseNodes = __webpack_exports__.L9;
var __webpack_exports__parseOnbuildTrigger = __webpack_exports__.p8;
var __webpack_exports__parsePlatform = __webpack_exports__.Y8;
var __webpack_exports__planStages = __webpack_exports__.VC;
var __webpack_exports__platformArgs = __webpack_exports__.xZ;
var __webpack_exports__resolveFrom = __webpack_exports__.dx;
var __webpack_exports__resolveGlobalArgs = __webpack_exports__.nl;
var __webpack_exports__resolveSyntax = __webpack_exports__._w;
var __webpack_exports__runChecks = __webpack_exports__.JT;
var __webpack_exports__runCommandPlan = __webpack_exports__.aY;
var __webpack_exports__stopSignal = __webpack_exports__.Zm;
var __webpack_exports__volumes = __webpack_exports__.on;
var __webpack_exports__workdir = __webpack_exports__.lh;
export { __webpack_exports__ALL_RULES as ALL_RULES, __webpack_exports__DEFAULT_PATH as DEFAULT_PATH, __webpack_exports__DockerfileError as DockerfileError, __webpack_exports__FEATURES as FEATURES, __webpack_exports__HEREDOC_SCRIPT_DIR as HEREDOC_SCRIPT_DIR, __webpack_exports__INSTRUCTION_KINDS as INSTRUCTION_KINDS, __webpack_exports__IgnoreMatcher as IgnoreMatcher, __webpack_exports__LATEST_SYNTAX as LATEST_SYNTAX, __webpack_exports__MAX_LINE_BYTES as MAX_LINE_BYTES, __webpack_exports__PLATFORM_ARG_NAMES as PLATFORM_ARG_NAMES, __webpack_exports__PROXY_ARG_NAMES as PROXY_ARG_NAMES, __webpack_exports__PatternMatcher as PatternMatcher, __webpack_exports__RULES as RULES, __webpack_exports__ShellLex as ShellLex, __webpack_exports__ShellWordError as ShellWordError, __webpack_exports__StageScope as StageScope, __webpack_exports__assertNever as assertNever, __webpack_exports__atLocation as atLocation, __webpack_exports__chompHeredocContent as chompHeredocContent, __webpack_exports__expandInstruction as expandInstruction, __webpack_exports__exposedPorts as exposedPorts, __webpack_exports__formatFinding as formatFinding, __webpack_exports__formatPlatform as formatPlatform, __webpack_exports__hasFeature as hasFeature, __webpack_exports__hostPlatform as hostPlatform, __webpack_exports__isProxyArg as isProxyArg, __webpack_exports__loadDockerignore as loadDockerignore, __webpack_exports__normalizePlatform as normalizePlatform, __webpack_exports__parseDockerfile as parseDockerfile, __webpack_exports__parseDockerignore as parseDockerignore, __webpack_exports__parseFrontendRef as parseFrontendRef, __webpack_exports__parseInstruction as parseInstruction, __webpack_exports__parseNodes as parseNodes, __webpack_exports__parseOnbuildTrigger as parseOnbuildTrigger, __webpack_exports__parsePlatform as parsePlatform, __webpack_exports__planStages as planStages, __webpack_exports__platformArgs as platformArgs, __webpack_exports__resolveFrom as resolveFrom, __webpack_exports__resolveGlobalArgs as resolveGlobalArgs, __webpack_exports__resolveSyntax as resolveSyntax, __webpack_exports__runChecks as runChecks, __webpack_exports__runCommandPlan as runCommandPlan, __webpack_exports__stopSignal as stopSignal, __webpack_exports__volumes as volumes, __webpack_exports__workdir as workdir };
