/**
 * parseDockerfile(): text → directives, nodes, typed instructions grouped in
 * stages, and the meta ARGs before the first FROM. parseInstruction() types a
 * single instruction line (ONBUILD triggers stored in a base image's config).
 */
import { DockerfileError, type Location } from './errors.js';
import { typeNode } from './instruction-parser.js';
import type { ArgInstruction, FromInstruction, Instruction } from './instructions.js';
import { type Directive, type Node, type ParseWarning, parseNodes } from './parser.js';
import type { EscapeToken } from './shell-lex.js';

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
  /** The `# syntax=` directive's value, when given (Kiln always uses its own parser). */
  syntax?: string;
  nodes: Node[];
  /** ARG instructions before the first FROM: usable in FROM lines, and in stages after a bare `ARG name`. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  warnings: ParseWarning[];
}

/** Frontends that parse the same Dockerfile syntax Kiln implements. */
const DOCKERFILE_FRONTENDS = /^(docker\.io\/)?docker\/dockerfile(-upstream)?(:|@|$)/;

/**
 * Parses and types a Dockerfile. `file` is the name used in messages
 * (`Dockerfile:12: ...`). Throws DockerfileError.
 */
export function parseDockerfile(text: string, file: string): ParsedDockerfile {
  const { escapeToken, directives, nodes, warnings } = parseNodes(text, file);
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const node of nodes) {
    const instr = typeNode(node, file);
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

  const seen = new Map<string, Stage>();
  for (const s of stages) {
    if (!s.name) continue;
    const prev = seen.get(s.name);
    if (prev) {
      warnings.push({
        file,
        line: s.from.location.startLine,
        message: `duplicate stage name "${s.name}" (also on line ${prev.from.location.startLine}); later references use this one`,
      });
    }
    seen.set(s.name, s);
  }
  const syntax = directives.find((d) => d.name === 'syntax');
  if (syntax && !DOCKERFILE_FRONTENDS.test(syntax.value)) {
    warnings.push({
      file,
      line: syntax.line,
      message: `# syntax=${syntax.value} is ignored: Kiln parses Dockerfile syntax itself`,
    });
  }
  return {
    file,
    escapeToken,
    directives,
    ...(syntax ? { syntax: syntax.value } : {}),
    nodes,
    metaArgs,
    stages,
    warnings,
  };
}

/**
 * Parses one instruction (it may span lines: continuations, heredoc bodies).
 * With `at`, errors and the instruction's location point there instead (for
 * ONBUILD triggers: the FROM line of the stage that runs them, like BuildKit).
 */
export function parseInstruction(text: string, file: string, at?: Location): Instruction {
  try {
    const { nodes } = parseNodes(text, file);
    if (nodes.length !== 1) {
      throw new DockerfileError(file, 1, `expected a single instruction, found ${nodes.length}`);
    }
    const node = nodes[0]!;
    if (at) {
      node.startLine = at.startLine;
      node.endLine = at.endLine;
    }
    return typeNode(node, at?.file ?? file);
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
