import type { Instruction } from './instructions.js';
import type { Node } from './parser.js';
import { type DockerfileSyntax } from './syntax.js';
/** ` (did you mean X?)` when a name is close to one of the candidates. */
export declare function suggestion(name: string, candidates: readonly string[]): string;
/** Types one node; a problem becomes a DockerfileError at the node's lines. */
export declare function typeNode(node: Node, file: string, syntax?: DockerfileSyntax): Instruction;
