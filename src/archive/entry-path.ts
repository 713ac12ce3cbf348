/**
 * Archive path helpers: lexical cleaning of entry names (the only place a
 * `..` is judged) and the order entries take in a layer.
 */
import { encodeName } from '../fs/byte-names.js';
import { UnsafeEntryError } from './errors.js';

/**
 * The components of an archive name, cleaned lexically: leading `/` and `./`,
 * empty and `.` components dropped, `a/..` folded. A `..` that would climb
 * above the root throws: no legitimate layer has one (Docker rejects it too).
 * An empty result means the root itself.
 */
export function cleanEntryPath(name: string, what = 'name'): string[] {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) {
        throw new UnsafeEntryError(
          `the ${what} ${JSON.stringify(name)} climbs above the root with "..": refusing it`,
          {
            entry: name,
          },
        );
      }
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}

/**
 * Sort key of a layer path: component-wise byte order (a directory's whole
 * subtree comes before a sibling that sorts after its name, as a walk with
 * sorted directory listings gives, which is BuildKit's order): `/` maps to
 * NUL so it sorts before every other byte. Names that are not UTF-8 sort by their bytes.
 */
export function layerSortKey(path: string): Buffer {
  const b = encodeName(path);
  for (let i = 0; i < b.length; i++) if (b[i] === 0x2f) b[i] = 0;
  return b;
}

export function compareLayerPaths(a: string, b: string): number {
  return Buffer.compare(layerSortKey(a), layerSortKey(b));
}
