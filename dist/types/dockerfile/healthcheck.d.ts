/** Go's time.ParseDuration, in nanoseconds. */
export declare function parseGoDuration(text: string): number;
/** An optional interval flag: unset or 0 mean "not set"; otherwise at least 1ms. */
export declare function parseInterval(flag: string, value: string | undefined): number | undefined;
/** --retries: a 32-bit integer, not negative. */
export declare function parseRetries(value: string | undefined): number | undefined;
