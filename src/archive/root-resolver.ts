/**
 * Resolves directories inside a root the way filepath-securejoin does: each
 * component is looked up with lstat; a symlink's target is followed *inside*
 * the root (an absolute target restarts at the root, `..` stops at the root),
 * so whatever symlinks a layer plants, the result is a real directory under
 * the root. The extractor is the only writer while a layer is applied, so
 * resolving in user space and then acting on the result is safe; results are
 * cached until the extractor removes a directory or a symlink. Synchronous
 * syscalls on purpose: see extract.ts.
 */
import { lstatSync, mkdirSync, readlinkSync, type Stats } from 'node:fs';
import { ExtractError, errnoCode } from './errors.js';

/** Symlinks followed while resolving one path (Linux's MAXSYMLINKS is 40). */
const MAX_LINKS = 40;

export class RootResolver {
  private cache = new Map<string, string>();

  /**
   * @param root an absolute, symlink-free path (realpath'd by the caller)
   * @param onCreate called for every directory created on the way
   */
  constructor(
    readonly root: string,
    private readonly onCreate: (rel: string) => void = () => {},
  ) {}

  abs(rel: string): string {
    return rel ? `${this.root}/${rel}` : this.root;
  }

  /** Forgets every resolution (after a directory or symlink was removed). */
  invalidate(): void {
    this.cache.clear();
  }

  /**
   * The root-relative path ('' = root) of the real directory that `dir`
   * (clean components) names inside the root, creating missing directories
   * (mode 0755). Throws ExtractError when a component is not a directory.
   */
  ensureDir(dir: readonly string[], entry: string): string {
    return this.resolve(dir, entry, true) as string;
  }

  /** Like ensureDir but creates nothing: undefined when the directory is missing or is not one. */
  lookupDir(dir: readonly string[], entry: string): string | undefined {
    return this.resolve(dir, entry, false);
  }

  private resolve(dir: readonly string[], entry: string, create: boolean): string | undefined {
    const key = dir.join('/');
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;

    // Start from the longest cached prefix.
    let start = dir.length - 1;
    while (start > 0 && !this.cache.has(dir.slice(0, start).join('/'))) start--;
    let current = start > 0 ? this.cache.get(dir.slice(0, start).join('/'))! : '';
    const pending = dir.slice(start).reverse(); // a stack: next component last
    let links = 0;

    while (pending.length > 0) {
      const c = pending.pop()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        const slash = current.lastIndexOf('/');
        current = slash < 0 ? '' : current.slice(0, slash);
        continue;
      }
      const next = current ? `${current}/${c}` : c;
      const abs = this.abs(next);
      let st: Stats | undefined;
      try {
        st = lstatSync(abs);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT')
          throw new ExtractError(`cannot inspect ${next}: ${String(e)}`, { entry, cause: e });
      }
      if (!st) {
        if (!create) return undefined;
        try {
          mkdirSync(abs, 0o755);
        } catch (e) {
          throw new ExtractError(`cannot create directory ${next}: ${String(e)}`, { entry, cause: e });
        }
        this.onCreate(next);
        current = next;
        continue;
      }
      if (st.isSymbolicLink()) {
        if (++links > MAX_LINKS) {
          throw new ExtractError(`too many levels of symbolic links resolving ${JSON.stringify(key)}`, {
            entry,
          });
        }
        const target = readlinkSync(abs);
        if (target.startsWith('/')) current = '';
        const parts = target.split('/');
        for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
        continue;
      }
      if (!st.isDirectory()) {
        if (!create) return undefined;
        throw new ExtractError(`${next} is not a directory, but the entry needs it to be one`, { entry });
      }
      current = next;
    }
    this.cache.set(key, current);
    return current;
  }
}
