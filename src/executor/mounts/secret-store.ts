/**
 * The build's secrets, read once when the session opens (a missing file is
 * an error before any work, as with buildx), held in memory only. Values are
 * handed to RUN steps that mount them and to the redactor, nowhere else.
 */
import { readFile, stat } from 'node:fs/promises';
import type { SecretSource } from '../options.js';

/** BuildKit's limit for one secret (secretsprovider.MaxSecretSize). */
export const MAX_SECRET_SIZE = 500 * 1024;

export class SecretError extends Error {
  override name = 'SecretError';
}

export class SecretStore {
  private constructor(private readonly values: ReadonlyMap<string, Buffer>) {}

  static async load(
    sources: readonly SecretSource[],
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<SecretStore> {
    const values = new Map<string, Buffer>();
    for (const s of sources) {
      const given = [s.file, s.env, s.value].filter((x) => x !== undefined).length;
      if (!s.id || given !== 1)
        throw new SecretError(
          `secret ${JSON.stringify(s.id)}: give exactly one of a file, an environment variable or a value`,
        );
      let value: Buffer;
      if (s.file !== undefined) {
        let size: number;
        try {
          size = (await stat(s.file)).size;
        } catch (e) {
          throw new SecretError(
            `secret ${s.id}: cannot read ${s.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          );
        }
        if (size > MAX_SECRET_SIZE)
          throw new SecretError(
            `secret ${s.id}: ${s.file} is ${size} bytes; secrets are limited to ${MAX_SECRET_SIZE} bytes`,
          );
        value = await readFile(s.file);
      } else if (s.env !== undefined) value = Buffer.from(env[s.env] ?? '', 'utf8');
      else value = Buffer.from(s.value!, 'utf8');
      if (value.length > MAX_SECRET_SIZE)
        throw new SecretError(
          `secret ${s.id} is ${value.length} bytes; secrets are limited to ${MAX_SECRET_SIZE} bytes`,
        );
      values.set(s.id, value);
    }
    return new SecretStore(values);
  }

  get(id: string): Buffer | undefined {
    return this.values.get(id);
  }

  get size(): number {
    return this.values.size;
  }

  /** Replaces every secret value (and each line of a multi-line one) in `text` with ****. */
  redact(text: string): string {
    if (this.values.size === 0) return text;
    let out = text;
    for (const needle of this.needles()) out = out.split(needle).join('****');
    return out;
  }

  private cachedNeedles: string[] | undefined;

  /** The strings to hide: each value, each of its lines of 4 characters or more; longest first. */
  needles(): string[] {
    if (!this.cachedNeedles) {
      const set = new Set<string>();
      for (const v of this.values.values()) {
        const text = v.toString('utf8');
        if (text.trim().length >= 4) set.add(text);
        for (const line of text.split(/\r?\n/)) if (line.trim().length >= 4) set.add(line.trim());
      }
      this.cachedNeedles = [...set].sort((a, b) => b.length - a.length);
    }
    return this.cachedNeedles;
  }
}
