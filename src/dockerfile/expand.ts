/**
 * Dispatch-time expansion: the fields BuildKit expands, expanded against the
 * stage scope; everything else returned as is.
 *
 * Expanded: ENV and LABEL keys and values; COPY/ADD sources, dest, --chown,
 * --chmod, --exclude, ADD --checksum and the bodies of unquoted heredoc
 * sources; EXPOSE (split into words); USER; WORKDIR; VOLUME; STOPSIGNAL;
 * RUN --mount values (all but from=).
 * Not expanded: the RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK command (the shell does it),
 * ONBUILD (expanded when it fires), MAINTAINER, COPY --from (BuildKit refuses
 * variables there; planStages reports it), FROM (planStages expands it against
 * the global ARGs), ARG (StageScope.applyArg expands a default only when no
 * build arg replaces it).
 */
import { atLocation } from './errors.js';
import { assertNever, type Instruction } from './instructions.js';
import { expandRunMount } from './run-mount.js';

export interface WordExpander {
  expand(word: string): string;
  expandWords(word: string): string[];
  expandRaw(word: string): string;
}

/** Returns a copy of instr with the BuildKit-expanded fields expanded; errors name the instruction's line. */
export function expandInstruction<T extends Instruction>(instr: T, scope: WordExpander): T {
  return atLocation(instr.location, () => expandUnlocated(instr as Instruction, scope) as T);
}

function expandUnlocated(instr: Instruction, scope: WordExpander): Instruction {
  const x = (w: string) => scope.expand(w);
  const opt = (w: string | undefined) => (w === undefined ? undefined : x(w));
  switch (instr.kind) {
    case 'env':
    case 'label':
      // All pairs against the scope before the instruction: `ENV a=1 b=$a` sees the old a.
      return { ...instr, pairs: instr.pairs.map((p) => ({ key: x(p.key), value: x(p.value) })) };
    case 'copy':
    case 'add': {
      const common = {
        sources: instr.sources.map(x),
        sourceContents: instr.sourceContents.map((c) =>
          c.expand ? { ...c, data: scope.expandRaw(c.data) } : c,
        ),
        dest: x(instr.dest),
        exclude: instr.exclude.map(x),
      };
      const chown = opt(instr.chown);
      const chmod = opt(instr.chmod);
      if (instr.kind === 'copy') {
        return {
          ...instr,
          ...common,
          ...(chown === undefined ? {} : { chown }),
          ...(chmod === undefined ? {} : { chmod }),
        };
      }
      const checksum = opt(instr.checksum);
      return {
        ...instr,
        ...common,
        ...(chown === undefined ? {} : { chown }),
        ...(chmod === undefined ? {} : { chmod }),
        ...(checksum === undefined ? {} : { checksum }),
      };
    }
    case 'expose':
      return { ...instr, ports: instr.ports.flatMap((p) => scope.expandWords(p)) };
    case 'user':
      return { ...instr, user: x(instr.user) };
    case 'workdir':
      return { ...instr, path: x(instr.path) };
    case 'volume':
      return { ...instr, volumes: instr.volumes.map(x) };
    case 'stopsignal':
      return { ...instr, signal: x(instr.signal) };
    case 'run':
      return instr.mounts.some((m) => m.raw !== undefined)
        ? { ...instr, mounts: instr.mounts.map((m) => expandRunMount(m, x)) }
        : instr;
    case 'from':
    case 'cmd':
    case 'entrypoint':
    case 'shell':
    case 'arg':
    case 'maintainer':
    case 'healthcheck':
    case 'onbuild':
      return instr;
    default:
      return assertNever(instr);
  }
}
