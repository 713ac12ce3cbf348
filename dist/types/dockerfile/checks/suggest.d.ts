/**
 * BuildKit's util/suggest.Search: the option closest to a value by
 * Levenshtein distance, if that distance is under 3; none when the value
 * itself is an option. Ties go to the option met first.
 */
export declare function suggestName(value: string, options: Iterable<string>, caseSensitive: boolean): string;
