/**
 * Typed errors of the archive layer. Each names the tar entry (or path) it is
 * about and, for malformed archives, the byte offset of the entry's header in
 * the uncompressed tar, so a user can find the culprit with `tar -tvf`.
 */

export interface ArchiveErrorContext {
  /** The entry name as written in the archive (or the layer path). */
  entry?: string;
  /** Byte offset of the entry's header in the uncompressed tar. */
  offset?: number;
  cause?: unknown;
}

export class ArchiveError extends Error {
  override name = 'ArchiveError';
  readonly entry?: string;
  readonly offset?: number;

  constructor(message: string, ctx: ArchiveErrorContext = {}) {
    super(ArchiveError.describe(message, ctx), ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.entry = ctx.entry;
    this.offset = ctx.offset;
  }

  private static describe(message: string, ctx: ArchiveErrorContext): string {
    const where: string[] = [];
    if (ctx.entry !== undefined) where.push(`entry ${JSON.stringify(ctx.entry)}`);
    if (ctx.offset !== undefined) where.push(`at offset ${ctx.offset}`);
    return where.length ? `${where.join(' ')}: ${message}` : message;
  }
}

/** The bytes are not a valid tar archive (bad checksum, truncated, bad number...). */
export class TarFormatError extends ArchiveError {
  override name = 'TarFormatError';
}

/** The archive is valid but uses a feature Kiln does not support (sparse files, ...). */
export class TarUnsupportedError extends ArchiveError {
  override name = 'TarUnsupportedError';
}

/** An entry tries to leave the root it is extracted into (`..` beyond the root, a non-directory root, ...). */
export class UnsafeEntryError extends ArchiveError {
  override name = 'UnsafeEntryError';
}

/** A malformed whiteout (`.wh.` with no name, `.wh..`, an unknown `.wh..wh.*` marker, a whiteout directory). */
export class WhiteoutError extends ArchiveError {
  override name = 'WhiteoutError';
}

/** A filesystem operation failed while extracting an entry. */
export class ExtractError extends ArchiveError {
  override name = 'ExtractError';
}

/** Writing a layer failed: a source file vanished or changed while it was read, an unsupported file type... */
export class LayerWriteError extends ArchiveError {
  override name = 'LayerWriteError';
}

/** Reading or writing extended attributes failed (getfattr/setfattr). */
export class XattrError extends ArchiveError {
  override name = 'XattrError';
}

/** The errno code of a Node fs error, if any. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}
