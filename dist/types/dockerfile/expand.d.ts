import { type Instruction } from './instructions.js';
export interface WordExpander {
    expand(word: string): string;
    expandWords(word: string): string[];
    expandRaw(word: string): string;
}
/** Returns a copy of instr with the BuildKit-expanded fields expanded; errors name the instruction's line. */
export declare function expandInstruction<T extends Instruction>(instr: T, scope: WordExpander): T;
