/**
 * parseDockerfile(): text → directives, nodes, typed instructions grouped in
 * stages, and the meta ARGs before the first FROM. parseInstruction() types a
 * single instruction line (ONBUILD triggers stored in a base image's config).
 */
import { DockerfileError, type Location } from './errors.js';
import { typeNode } from './instruction-parser.js';
import type { ArgInstruction, FromInstruction, Instruction } from './instructions.js';
import { type Directive, type Node, parseNodes } from './parser.js';
import type { EscapeToken } from './shell-lex.js';
import type { DockerfileSyntax, SyntaxOptions } from './syntax.js';

export interface Stage {
  /** 0-based position among the stages (what `COPY --from=1` refers to). */
  index: number;
  /** `FROM ... AS name`, lower-case. */
  name?: string;
  from: FromInstruction;
  /** The instructions after FROM, in order. */
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  file: string;
  escapeToken: EscapeToken;
  directives: Directive[];
  /** The syntax version the `# syntax=` directive selects (the newest without one). */
  syntax: DockerfileSyntax;
  nodes: Node[];
  /** ARG instructions before the first FROM: usable in FROM lines, and in stages after a bare `ARG name`. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
}

/** The unknown-instruction error of a heredoc body line that BuildKit does not read as one, explained. */
function explainLookalike(err: unknown, previous: Node | undefined): unknown {
  if (!(err instanceof DockerfileError) || !previous?.heredocLookalike) return err;
  if (!err.detail.startsWith('unknown instruction')) return err;
  const l = previous.heredocLookalike;
  return new DockerfileError(
    err.file,
    err.line,
    `${err.detail}: line ${previous.startLine} has "${l}", which BuildKit does not read as a heredoc ` +
      `(no space may follow "<<-", and "<< WORD" needs Dockerfile syntax 1.16), so the lines after it are ` +
      `instructions; write "${l.replace(/[ \t]+/, '')}"`,
    err.endLine,
  );
}

/**
 * Parses and types a Dockerfile. `file` is the name used in messages
 * (`Dockerfile:12: ...`). Throws DockerfileError.
 */
export function parseDockerfile(text: string, file: string, opts: SyntaxOptions = {}): ParsedDockerfile {
  const { escapeToken, syntax, directives, nodes } = parseNodes(text, file, opts);
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  let previous: Node | undefined;
  for (const node of nodes) {
    let instr: Instruction;
    try {
      instr = typeNode(node, file, syntax);
    } catch (err) {
      throw explainLookalike(err, previous);
    }
    previous = node;
    if (instr.kind === 'from') {
      stages.push({
        index: stages.length,
        ...(instr.stageName === undefined ? {} : { name: instr.stageName }),
        from: instr,
        instructions: [],
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage) {
      stage.instructions.push(instr);
    } else if (instr.kind === 'arg') {
      metaArgs.push(instr);
    } else {
      throw DockerfileError.at(
        instr.location,
        `${node.keywordAsWritten.toUpperCase()} before the first FROM: only ARG may come before FROM (start a stage with FROM image)`,
      );
    }
  }
  if (stages.length === 0) {
    throw new DockerfileError(
      file,
      nodes[0]!.startLine,
      'dockerfile contains no stages to build: add a FROM instruction',
    );
  }

  return {
    file,
    escapeToken,
    directives,
    syntax,
    nodes,
    metaArgs,
    stages,
  };
}

/**
 * Parses one instruction (it may span lines: continuations, heredoc bodies).
 * With `at`, errors and the instruction's location point there instead (for
 * ONBUILD triggers: the FROM line of the stage that runs them, like BuildKit).
 */
export function parseInstruction(text: string, file: string, at?: Location): Instruction {
  try {
    const { nodes, syntax } = parseNodes(text, file);
    if (nodes.length !== 1) {
      throw new DockerfileError(file, 1, `expected a single instruction, found ${nodes.length}`);
    }
    const node = nodes[0]!;
    if (at) {
      node.startLine = at.startLine;
      node.endLine = at.endLine;
    }
    return typeNode(node, at?.file ?? file, syntax);
  } catch (err) {
    if (at && err instanceof DockerfileError) {
      throw DockerfileError.at(at, `in trigger ${JSON.stringify(text)}: ${err.detail}`);
    }
    throw err;
  }
}

/** Types an ONBUILD trigger from a base image's config (or an earlier stage) to run at `at`. */
export function parseOnbuildTrigger(expression: string, at: Location): Instruction {
  const instr = parseInstruction(expression, at.file, at);
  if (instr.kind === 'from')
    throw DockerfileError.at(at, `FROM isn't allowed as an ONBUILD trigger (${expression})`);
  return instr;
}
