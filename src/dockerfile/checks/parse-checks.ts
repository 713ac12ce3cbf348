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
import { RULES } from './rules.js';

const RESERVED_STAGE_NAMES = new Set(['context', 'scratch']);

export function nodeLocation(file: string, node: Node): Location {
  return { file, startLine: node.startLine, endLine: node.endLine };
}

const lower = (s: string) => s === s.toLowerCase();
const upper = (s: string) => s === s.toUpperCase();

/** `# name <description>`: the last comment above a FROM … AS name or ARG name should start with the name. */
function definitionDescription(
  lint: Linter,
  instruction: string,
  keys: string[],
  node: Node,
  at: Location,
): void {
  const last = node.comments[node.comments.length - 1];
  if (last === undefined || keys.length === 0) return;
  if (keys.includes(last.split(' ')[0]!)) return;
  const example = keys.length > 1 ? '<arg_key>' : keys[0]!;
  lint.run(
    RULES.InvalidDefinitionDescription,
    at,
    RULES.InvalidDefinitionDescription.format(instruction, example),
  );
}

export function parseChecks(df: ParsedDockerfile, lint: Linter): void {
  const { file } = df;
  let inStages = false;
  let lowerCount = 0;
  let upperCount = 0;
  const staged: { name: string; at: Location }[] = [];

  for (const node of df.nodes) {
    const at = nodeLocation(file, node);
    if (node.emptyContinuationLine !== undefined) {
      const l = node.emptyContinuationLine;
      lint.run(
        RULES.NoEmptyContinuation,
        { file, startLine: l, endLine: l },
        RULES.NoEmptyContinuation.format(),
      );
    }
    const own = lint.withComments(node.comments);
    switch (node.keyword) {
      case 'maintainer':
        own.run(RULES.MaintainerDeprecated, at, RULES.MaintainerDeprecated.format());
        break;
      case 'from': {
        inStages = true;
        const [, as, name] = node.args;
        if (node.args.length === 3 && !lower(name!)) {
          own.run(RULES.StageNameCasing, at, RULES.StageNameCasing.format(name!));
        }
        const cmd = node.keywordAsWritten;
        // Mixed-case FROM is ConsistentInstructionCasing's business, not this rule's.
        if (node.args.length >= 3 && (lower(cmd) ? !lower(as!) : upper(cmd) && !upper(as!))) {
          own.run(RULES.FromAsCasing, at, RULES.FromAsCasing.format(cmd, as!));
        }
        if (node.args.length === 3 && as!.toLowerCase() === 'as') {
          definitionDescription(own, 'FROM', [name!.toLowerCase()], node, at);
        }
        break;
      }
      case 'arg':
        definitionDescription(
          own,
          'ARG',
          node.args.map((w) => w.split('=')[0]!),
          node,
          at,
        );
        break;
    }
    if (!inStages) continue;
    const cmd = node.keywordAsWritten;
    if (lower(cmd)) lowerCount++;
    else if (upper(cmd)) upperCount++;
    staged.push({ name: cmd, at });
  }

  // Stage names: reserved words and duplicates (lower-cased, as stages are named).
  const seen = new Set<string>();
  for (const stage of df.stages) {
    if (stage.name === undefined) continue;
    const at = stage.from.location;
    if (RESERVED_STAGE_NAMES.has(stage.name)) {
      lint.run(RULES.ReservedStageName, at, RULES.ReservedStageName.format(stage.name));
    }
    if (seen.has(stage.name))
      lint.run(RULES.DuplicateStageName, at, RULES.DuplicateStageName.format(stage.name));
    seen.add(stage.name);
  }

  // Instruction casing: each must be all lower or all upper, and match the majority (ties: upper).
  const majorityLower = lowerCount > upperCount;
  for (const { name, at } of staged) {
    const casing =
      majorityLower && !lower(name) ? 'lowercase' : !majorityLower && !upper(name) ? 'uppercase' : undefined;
    if (casing) {
      lint.run(RULES.ConsistentInstructionCasing, at, RULES.ConsistentInstructionCasing.format(name, casing));
    }
  }
}
