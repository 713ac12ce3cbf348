/**
 * List-valued inputs, split the way docker/build-push-action and
 * docker/metadata-action users expect: one item per line, items trimmed,
 * empty lines dropped.
 */

/** `tags`: newline- or comma-separated (a tag or reference never holds a comma). */
export function splitTagList(text: string): string[] {
  return text
    .split(/[\r\n,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `build_args`: one KEY=value per line; values may hold commas and `=`. */
export function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * `labels`: one KEY=value per line (metadata-action's output), or several on
 * one line separated by commas. A comma splits only where a `key=` follows
 * it, so `org.opencontainers.image.description=Fast, small` stays one label.
 */
export function splitLabelList(text: string): string[] {
  return splitLines(text).flatMap((line) =>
    line
      .split(/,(?=\s*[A-Za-z0-9][A-Za-z0-9._/-]*=)/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
}

export interface KeyValueProblem {
  item: string;
  reason: string;
}

/** KEY=value items → Map (later wins); problems are collected, not thrown. */
export function parseKeyValueItems(
  items: readonly string[],
  problems: KeyValueProblem[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) {
      problems.push({ item, reason: 'expected KEY=value' });
      continue;
    }
    const key = item.slice(0, eq).trim();
    if (!key) {
      problems.push({ item, reason: 'the key before "=" is empty' });
      continue;
    }
    if (/\s/.test(key)) {
      problems.push({ item, reason: `the key "${key}" contains whitespace` });
      continue;
    }
    out.set(key, item.slice(eq + 1));
  }
  return out;
}
