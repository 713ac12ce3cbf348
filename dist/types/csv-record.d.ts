/**
 * One CSV record as Go's encoding/csv reads a line (what BuildKit and buildx
 * parse `--mount` and `--secret` values with): commas split, a field that
 * starts with a double quote runs to the closing one, `""` inside quotes is
 * a quote.
 */
export declare class CsvError extends Error {
    name: string;
}
export declare function csvFields(text: string): string[];
