export type FlagKind = 'bool' | 'string' | 'strings';
export type FlagSpecs = Readonly<Record<string, FlagKind>>;
export interface ParsedFlags {
    bool(name: string): boolean | undefined;
    string(name: string): string | undefined;
    strings(name: string): string[];
}
export declare function parseInstructionFlags(flags: readonly string[], specs: FlagSpecs, instruction: string): ParsedFlags;
