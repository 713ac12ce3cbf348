/**
 * Extended attributes. Node has no xattr API, so access goes through a small
 * interface; the real implementation batches many paths into one
 * `getfattr`/`setfattr --restore` process (Debian package `attr`), never one
 * process per file. When the tools are missing, `unavailableXattrs()` says so
 * and callers count what they skipped and warn.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { hasRawBytes } from '../fs/byte-names.js';
import { XattrError } from './errors.js';

export type Xattrs = Record<string, Buffer>;

export interface XattrAccess {
  /** Why xattrs cannot be read or written here; undefined when they can. */
  readonly unavailable?: string;
  /** The xattrs of many absolute paths at once, symlinks not followed; paths without any are absent. */
  read(paths: readonly string[]): Promise<Map<string, Xattrs>>;
  /** Sets xattrs on many absolute paths at once, symlinks not followed. */
  write(items: ReadonlyArray<{ path: string; xattrs: Xattrs }>): Promise<void>;
}

/**
 * The xattrs that may cross a layer boundary: file capabilities and the user
 * namespace. `user.overlay.*` is excluded: those are overlayfs's own markers
 * (opaque, redirect) on user-namespace mounts, and a layer that carried them
 * would steer later overlay mounts.
 */
export function isLayerXattr(name: string): boolean {
  return name === 'security.capability' || (name.startsWith('user.') && !name.startsWith('user.overlay.'));
}

/** The same allow-list as a getfattr `-m` pattern (the JS filter is applied on top). */
const LAYER_XATTR_PATTERN = '^(user\\.|security\\.capability$)';

export interface AttrToolsOptions {
  getfattr?: string;
  setfattr?: string;
  /** getfattr `-m` pattern of the names to read (default: the layer allow-list). */
  match?: string;
  /** Names kept from what getfattr returns (default: isLayerXattr). */
  filter?: (name: string) => boolean;
  /** Bytes of path arguments per getfattr process (argv limit); default 512 KiB. */
  argBytes?: number;
}

/** XattrAccess through `getfattr`/`setfattr` from the `attr` package. */
export function attrToolsXattrs(options: AttrToolsOptions = {}): XattrAccess {
  const getfattr = options.getfattr ?? 'getfattr';
  const setfattr = options.setfattr ?? 'setfattr';
  const match = options.match ?? LAYER_XATTR_PATTERN;
  const argBytes = options.argBytes ?? 512 * 1024;
  const filter = options.filter ?? isLayerXattr;
  return {
    async read(paths) {
      const out = new Map<string, Xattrs>();
      let batch: string[] = [];
      let bytes = 0;
      const run = async () => {
        if (batch.length === 0) return;
        const args = ['-h', '-d', '-m', match, '-e', 'base64', '--absolute-names', '--', ...batch];
        batch = [];
        bytes = 0;
        const r = await runTool(getfattr, args);
        const errors = toolErrors(r.stderr);
        if (r.code !== 0 && errors.length > 0) {
          throw new XattrError(`getfattr failed: ${errors.slice(0, 5).join('; ')}`);
        }
        for (const [path, attrs] of parseXattrDump(r.stdout)) {
          const kept = Object.entries(attrs).filter(([n]) => filter(n));
          if (kept.length > 0) out.set(path, Object.fromEntries(kept));
        }
      };
      for (const p of paths) {
        if (!p.startsWith('/')) throw new XattrError(`xattr paths must be absolute: ${JSON.stringify(p)}`);
        // A name that is not UTF-8 cannot be passed in argv (Node encodes arguments as UTF-8): it gets no xattrs.
        if (hasRawBytes(p)) continue;
        batch.push(p);
        bytes += Buffer.byteLength(p) + 1;
        if (bytes >= argBytes) await run();
      }
      await run();
      return out;
    },
    async write(items) {
      const dump = formatXattrDump(items);
      if (dump.length === 0) return;
      const r = await runTool(setfattr, ['-h', '--restore=-'], dump);
      if (r.code !== 0) {
        const errors = toolErrors(r.stderr);
        throw new XattrError(`setfattr failed: ${errors.slice(0, 5).join('; ') || `exit code ${r.code}`}`);
      }
    },
  };
}

/** An XattrAccess that has none: reads return nothing, writes throw (callers check `unavailable`). */
export function unavailableXattrs(reason: string): XattrAccess {
  return {
    unavailable: reason,
    async read() {
      return new Map();
    },
    async write(items) {
      if (items.length > 0) throw new XattrError(`extended attributes unavailable: ${reason}`);
    },
  };
}

/** The attr tools if both are on PATH, else an unavailable XattrAccess saying what to install. */
export function detectXattrs(env: NodeJS.ProcessEnv = process.env): XattrAccess {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const find = (name: string) =>
    dirs
      .map((d) => join(d, name))
      .find((p) => {
        try {
          accessSync(p, constants.X_OK);
          return true;
        } catch {
          return false;
        }
      });
  const getfattr = find('getfattr');
  const setfattr = find('setfattr');
  if (!getfattr || !setfattr) {
    return unavailableXattrs(
      'getfattr/setfattr not found: install the "attr" package (apt-get install attr)',
    );
  }
  return attrToolsXattrs({ getfattr, setfattr });
}

// ---------------------------------------------------------------- the dump format

/** getfattr's quoting: `\ooo` octal escapes for special bytes. */
function unquote(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === 0x5c && i + 3 < raw.length && /^[0-7]{3}$/.test(raw.toString('latin1', i + 1, i + 4))) {
      bytes.push(Number.parseInt(raw.toString('latin1', i + 1, i + 4), 8));
      i += 3;
    } else bytes.push(c);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Quotes as setfattr --restore expects: control bytes, space-less ASCII specials and `\` as `\ooo`. */
function quote(text: string): string {
  const raw = Buffer.from(text, 'utf8');
  let out = '';
  for (const c of raw) {
    if (c < 0x21 || c === 0x5c || c === 0x3d || c === 0x7f || c >= 0x80)
      out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out;
}

export function parseXattrDump(text: string): Map<string, Xattrs> {
  const out = new Map<string, Xattrs>();
  let current: Xattrs | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = {};
      out.set(unquote(line.slice(8)), current);
      continue;
    }
    if (line === '' || line.startsWith('#') || !current) continue;
    const eq = line.indexOf('=');
    const name = unquote(eq < 0 ? line : line.slice(0, eq));
    const value = eq < 0 ? '' : line.slice(eq + 1);
    if (value.startsWith('0s')) current[name] = Buffer.from(value.slice(2), 'base64');
    else if (value.startsWith('0x')) current[name] = Buffer.from(value.slice(2), 'hex');
    else if (value.startsWith('"') && value.endsWith('"'))
      current[name] = Buffer.from(unquote(value.slice(1, -1)));
    else current[name] = Buffer.from(value);
  }
  for (const [k, v] of out) if (Object.keys(v).length === 0) out.delete(k);
  return out;
}

export function formatXattrDump(items: ReadonlyArray<{ path: string; xattrs: Xattrs }>): string {
  let out = '';
  for (const { path, xattrs } of items) {
    const names = Object.keys(xattrs).sort();
    if (names.length === 0) continue;
    if (!path.startsWith('/')) throw new XattrError(`xattr paths must be absolute: ${JSON.stringify(path)}`);
    out += `# file: ${quote(path)}\n`;
    for (const n of names) out += `${quote(n)}=0s${xattrs[n]!.toString('base64')}\n`;
    out += '\n';
  }
  return out;
}

// ---------------------------------------------------------------- processes

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runTool(cmd: string, args: string[], stdin?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new XattrError(`cannot run ${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    if (stdin !== undefined) {
      child.stdin!.on('error', () => undefined); // reported through the exit code
      child.stdin!.end(stdin);
    }
  });
}

/** Error lines, without the noise of files that have no xattr support. */
function toolErrors(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/Operation not supported/.test(l));
}
