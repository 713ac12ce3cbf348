/**
 * Node → typed Instruction, with BuildKit's checks (instructions/parse.go):
 * argument counts, allowed flags, stage names, HEALTHCHECK options, ONBUILD
 * triggers. Every error names the file and line of the instruction.
 */
import type { HealthConfig } from '../image/manifest.js';
import { DockerfileError, type Location } from './errors.js';
import { parseInterval, parseRetries } from './healthcheck.js';
import { type FlagSpecs, parseInstructionFlags } from './instruction-flags.js';
import type {
  AddInstruction,
  ArgDeclaration,
  CommandLine,
  CopyInstruction,
  Instruction,
  KeyValue,
  SourceContent,
} from './instructions.js';
import { chompHeredocContent, LineError, parseHeredocWord, trimSpace } from './line-parsers.js';
import type { Node } from './parser.js';
import { parseNetwork, parseRunMount, parseSecurity } from './run-mount.js';
import {
  type DockerfileSyntax,
  featureSince,
  formatVersion,
  hasFeature,
  LATEST_SYNTAX,
  type SyntaxFeature,
} from './syntax.js';

const KNOWN = [
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
];

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** Edit distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** ` (did you mean X?)` when a name is close to one of the candidates. */
export function suggestion(name: string, candidates: readonly string[]): string {
  if (name.length > 64) return '';
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best && bestD > 0 && bestD <= (name.length >= 5 ? 2 : 1) ? ` (did you mean ${best}?)` : '';
}

const exactlyOne = (name: string) => new LineError(`${name} requires exactly one argument`);
const atLeastOne = (name: string) => new LineError(`${name} requires at least one argument`);

function commandLine(node: Node): CommandLine {
  if (node.json) return { form: 'exec', args: node.args };
  return { form: 'shell', command: node.args.join(' ') };
}

function pairs(node: Node, name: string): KeyValue[] {
  parseInstructionFlags(node.flags, {}, name);
  if (node.args.length === 0) throw atLeastOne(name);
  if (node.args.length % 2 !== 0) throw new LineError(`bad input to ${name}, too many arguments`);
  const out: KeyValue[] = [];
  for (let i = 0; i < node.args.length; i += 2) {
    if (node.args[i] === '') throw new LineError(`${name} names can not be blank`);
    out.push({ key: node.args[i]!, value: node.args[i + 1]! });
  }
  return out;
}

function heredocMarker(word: string): ReturnType<typeof parseHeredocWord> {
  try {
    return parseHeredocWord(word);
  } catch {
    return undefined;
  }
}

function sourcesAndDest(
  node: Node,
  name: string,
): { sources: string[]; sourceContents: SourceContent[]; dest: string } {
  const dest = node.args[node.args.length - 1]!;
  if (heredocMarker(dest)) throw new LineError(`${name} cannot accept a heredoc as a destination`);
  const bodies = new Map(node.heredocs.map((h) => [h.name, h.content]));
  const sources: string[] = [];
  const sourceContents: SourceContent[] = [];
  const args = node.args.slice(0, -1);
  for (const [i, src] of args.entries()) {
    if (/^\d*<<-?$/.test(src) && i + 1 < args.length) {
      throw new LineError(
        `${name} ${src} ${args[i + 1]}: with a space after ${src}, BuildKit copies files named "${src}" and ` +
          `"${args[i + 1]}" instead of a heredoc (only RUN takes "<< ${args[i + 1]}"); write ${src}${args[i + 1]}`,
      );
    }
    const marker = heredocMarker(src);
    if (!marker) {
      sources.push(src);
      continue;
    }
    let data = bodies.get(marker.name) ?? '';
    if (marker.chomp) data = chompHeredocContent(data);
    sourceContents.push({ path: marker.name, data, expand: marker.expand });
  }
  return { sources, sourceContents, dest };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const NO_FLAG_SPECS: FlagSpecs = {};
const COPY_FLAGS: FlagSpecs = {
  from: 'string',
  chown: 'string',
  chmod: 'string',
  link: 'bool',
  parents: 'bool',
  exclude: 'strings',
};
const ADD_FLAGS: FlagSpecs = {
  chown: 'string',
  chmod: 'string',
  link: 'bool',
  exclude: 'strings',
  checksum: 'string',
  'keep-git-dir': 'bool',
  unpack: 'bool',
};
const RUN_FLAGS: FlagSpecs = { mount: 'strings', network: 'string', security: 'string' };
const HEALTHCHECK_FLAGS: FlagSpecs = {
  interval: 'string',
  timeout: 'string',
  'start-period': 'string',
  'start-interval': 'string',
  retries: 'string',
};

/** Flags that exist only from some syntax version on, by instruction. */
const GATED_FLAGS: Readonly<Record<string, Readonly<Record<string, SyntaxFeature>>>> = {
  copy: { link: 'link', exclude: 'exclude', parents: 'parents' },
  add: {
    link: 'link',
    exclude: 'exclude',
    'keep-git-dir': 'addGitAndChecksum',
    checksum: 'addGitAndChecksum',
    unpack: 'addUnpack',
  },
  healthcheck: { 'start-interval': 'startInterval' },
};

/** A flag the Dockerfile's `# syntax=` version does not have yet is an error saying which version has it. */
function checkGatedFlags(node: Node, syntax: DockerfileSyntax): void {
  const gated = GATED_FLAGS[node.keyword];
  if (!gated) return;
  for (const raw of node.flags) {
    const name = raw.slice(2).split('=')[0]!;
    const feature = gated[name];
    if (feature && !hasFeature(syntax, feature)) {
      throw new LineError(
        `${node.keyword.toUpperCase()} --${name} needs Dockerfile syntax ${featureSince(feature)} or later, ` +
          `but ${syntax.ref ? `# syntax=${syntax.ref}` : 'the syntax'} selects ${formatVersion(syntax.version)}${syntax.labs ? '-labs' : ''}: ` +
          'raise the version in the # syntax= line (or remove it)',
      );
    }
  }
}

function typed(node: Node, location: Location, syntax: DockerfileSyntax): Instruction {
  const base = { location, original: trimSpace(node.original) };
  const NAME = node.keyword.toUpperCase();
  checkGatedFlags(node, syntax);
  switch (node.keyword) {
    case 'from': {
      const a = node.args;
      let stageName: string | undefined;
      if (a.length === 3 && a[1]!.toLowerCase() === 'as') {
        stageName = a[2]!.toLowerCase();
        if (!STAGE_NAME.test(stageName)) {
          throw new LineError(
            `invalid name for build stage: ${JSON.stringify(a[2])}, name can't start with a number or contain symbols`,
          );
        }
      } else if (a.length !== 1) {
        throw new LineError('FROM requires either one or three arguments (FROM image [AS name])');
      }
      const flags = parseInstructionFlags(node.flags, { platform: 'string' }, NAME);
      return {
        kind: 'from',
        ...base,
        image: a[0]!,
        ...optional('stageName', stageName),
        ...optional('platform', flags.string('platform')),
      };
    }
    case 'run': {
      const flags = parseInstructionFlags(node.flags, RUN_FLAGS, NAME);
      return {
        kind: 'run',
        ...base,
        command: commandLine(node),
        heredocs: node.heredocs,
        mounts: flags.strings('mount').map((m) => parseRunMount(m)),
        ...optional('network', parseNetwork(flags.string('network'))),
        ...optional('security', parseSecurity(flags.string('security'))),
      };
    }
    case 'cmd':
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      return { kind: 'cmd', ...base, command: commandLine(node) };
    case 'entrypoint':
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      return { kind: 'entrypoint', ...base, command: commandLine(node) };
    case 'shell':
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      if (node.args.length === 0) throw atLeastOne(NAME);
      if (!node.json)
        throw new LineError('SHELL requires the arguments to be in JSON form: SHELL ["executable", "param"]');
      return { kind: 'shell', ...base, shell: node.args };
    case 'env':
      return { kind: 'env', ...base, pairs: pairs(node, NAME) };
    case 'label':
      return { kind: 'label', ...base, pairs: pairs(node, NAME) };
    case 'arg': {
      // BuildKit does not check ARG's flags.
      if (node.args.length === 0) throw atLeastOne(NAME);
      const args: ArgDeclaration[] = node.args.map((word) => {
        const eq = word.indexOf('=');
        if (eq < 0) return { name: word };
        if (eq === 0) throw new LineError('ARG names can not be blank');
        return { name: word.slice(0, eq), defaultValue: word.slice(eq + 1) };
      });
      return { kind: 'arg', ...base, args };
    }
    case 'expose':
      if (node.args.length === 0) throw atLeastOne(NAME);
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      return { kind: 'expose', ...base, ports: [...node.args].sort() };
    case 'copy':
    case 'add': {
      if (node.args.length < 2) {
        throw new LineError(
          `${NAME} requires at least two arguments, but only ${node.args.length === 1 ? 'one was' : 'none were'} provided. Destination could not be determined`,
        );
      }
      const flags = parseInstructionFlags(node.flags, node.keyword === 'copy' ? COPY_FLAGS : ADD_FLAGS, NAME);
      const common = {
        ...base,
        ...sourcesAndDest(node, NAME),
        ...optional('chown', flags.string('chown')),
        ...optional('chmod', flags.string('chmod')),
        link: flags.bool('link') ?? false,
        exclude: flags.strings('exclude'),
      };
      if (node.keyword === 'copy') {
        const copy: CopyInstruction = {
          kind: 'copy',
          ...common,
          ...optional('from', flags.string('from')),
          parents: flags.bool('parents') ?? false,
        };
        return copy;
      }
      const add: AddInstruction = {
        kind: 'add',
        ...common,
        ...optional('checksum', flags.string('checksum')),
        keepGitDir: flags.bool('keep-git-dir') ?? false,
        ...optional('unpack', flags.bool('unpack')),
      };
      return add;
    }
    case 'maintainer':
      if (node.args.length !== 1) throw exactlyOne(NAME);
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      return { kind: 'maintainer', ...base, maintainer: node.args[0]! };
    case 'user':
      if (node.args.length !== 1) throw exactlyOne(NAME);
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      return { kind: 'user', ...base, user: node.args[0]! };
    case 'workdir':
      if (node.args.length !== 1) throw exactlyOne(NAME);
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      return { kind: 'workdir', ...base, path: node.args[0]! };
    case 'volume': {
      if (node.args.length === 0) throw atLeastOne(NAME);
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      const volumes = node.args.map((v) => trimSpace(v));
      if (volumes.some((v) => v === '')) throw new LineError('VOLUME specified can not be an empty string');
      return { kind: 'volume', ...base, volumes };
    }
    case 'stopsignal':
      // BuildKit does not check STOPSIGNAL's flags.
      if (node.args.length !== 1) throw exactlyOne(NAME);
      return { kind: 'stopsignal', ...base, signal: node.args[0]! };
    case 'healthcheck':
      return { kind: 'healthcheck', ...base, health: healthConfig(node) };
    case 'onbuild': {
      if (node.args.length === 0) throw atLeastOne(NAME);
      parseInstructionFlags(node.flags, NO_FLAG_SPECS, NAME);
      const trigger = trimSpace(node.args[0]!).toUpperCase();
      if (trigger === 'ONBUILD') throw new LineError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'MAINTAINER' || trigger === 'FROM') {
        throw new LineError(`${trigger} isn't allowed as an ONBUILD trigger`);
      }
      let expression = node.original.replace(/^[\t\n\f\r ]*onbuild[\t\n\f\r ]*/i, '');
      for (const h of node.heredocs) expression += `\n${h.content}${h.name}`;
      return { kind: 'onbuild', ...base, expression, trigger };
    }
    default:
      throw new LineError(
        `unknown instruction ${JSON.stringify(node.keywordAsWritten)}${suggestion(node.keyword, KNOWN)}`,
      );
  }
}

function healthConfig(node: Node): HealthConfig {
  if (node.args.length === 0) throw atLeastOne('HEALTHCHECK');
  let typ = node.args[0]!.toUpperCase();
  const rest = node.args.slice(1);
  if (typ === 'NONE') {
    // Like BuildKit, HEALTHCHECK NONE does not look at flags.
    if (rest.length !== 0) throw new LineError('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  const flags = parseInstructionFlags(node.flags, HEALTHCHECK_FLAGS, 'HEALTHCHECK');
  if (typ !== 'CMD') throw new LineError(`Unknown type ${JSON.stringify(typ)} in HEALTHCHECK (try CMD)`);
  const cmd = node.json ? rest : rest.length ? [rest.join(' ')] : [];
  if (cmd.length === 0) throw new LineError('Missing command after HEALTHCHECK CMD');
  if (!node.json) typ = 'CMD-SHELL';
  const health: HealthConfig = { Test: [typ, ...cmd] };
  const interval = parseInterval('interval', flags.string('interval'));
  const timeout = parseInterval('timeout', flags.string('timeout'));
  const startPeriod = parseInterval('start-period', flags.string('start-period'));
  const startInterval = parseInterval('start-interval', flags.string('start-interval'));
  const retries = parseRetries(flags.string('retries'));
  if (interval !== undefined) health.Interval = interval;
  if (timeout !== undefined) health.Timeout = timeout;
  if (startPeriod !== undefined) health.StartPeriod = startPeriod;
  if (startInterval !== undefined) health.StartInterval = startInterval;
  if (retries) health.Retries = retries;
  return health;
}

/** Types one node; a problem becomes a DockerfileError at the node's lines. */
export function typeNode(node: Node, file: string, syntax: DockerfileSyntax = LATEST_SYNTAX): Instruction {
  const location: Location = { file, startLine: node.startLine, endLine: node.endLine };
  try {
    return typed(node, location, syntax);
  } catch (err) {
    if (err instanceof LineError) throw DockerfileError.at(location, err.message);
    throw err;
  }
}
