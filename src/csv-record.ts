/**
 * One CSV record as Go's encoding/csv reads a line (what BuildKit and buildx
 * parse `--mount` and `--secret` values with): commas split, a field that
 * starts with a double quote runs to the closing one, `""` inside quotes is
 * a quote.
 */
export class CsvError extends Error {
  override name = 'CsvError';
}

export function csvFields(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) throw new CsvError('unterminated quote');
  fields.push(field);
  return fields;
}
