/**
 * OCI/AUFS whiteouts: `.wh.<name>` deletes `<name>` from lower layers,
 * `.wh..wh..opq` hides a directory's lower content. Every other `.wh..wh.*`
 * name (AUFS metadata such as `.wh..wh.plnk`) is rejected, as are whiteouts
 * with no name.
 */
import { WhiteoutError } from './errors.js';

export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export type Whiteout = { kind: 'none' } | { kind: 'delete'; name: string } | { kind: 'opaque' };

/** What a base name means; throws WhiteoutError for malformed whiteouts. */
export function classifyWhiteout(base: string, entry: string): Whiteout {
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' };
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque' };
  if (base.startsWith(WHITEOUT_META_PREFIX)) {
    throw new WhiteoutError(
      `unsupported whiteout marker ${JSON.stringify(base)} (only ${OPAQUE_WHITEOUT} is valid)`,
      {
        entry,
      },
    );
  }
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') {
    throw new WhiteoutError(`malformed whiteout ${JSON.stringify(base)}: it names no file`, { entry });
  }
  return { kind: 'delete', name };
}

export function whiteoutName(base: string): string {
  return WHITEOUT_PREFIX + base;
}
