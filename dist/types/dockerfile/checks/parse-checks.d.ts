/**
 * Checks BuildKit runs while it parses (instructions.Parse and the
 * validations right after it): NoEmptyContinuation, MaintainerDeprecated,
 * StageNameCasing, FromAsCasing, InvalidDefinitionDescription,
 * ReservedStageName, DuplicateStageName, ConsistentInstructionCasing.
 */
import type { ParsedDockerfile } from '../dockerfile.js';
import type { Location } from '../errors.js';
import type { Node } from '../parser.js';
import type { Linter } from './linter.js';
export declare function nodeLocation(file: string, node: Node): Location;
export declare function parseChecks(df: ParsedDockerfile, lint: Linter): void;
