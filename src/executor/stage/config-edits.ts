/**
 * The instructions that only edit the image config (and history): ENV, ARG,
 * LABEL, CMD, ENTRYPOINT, EXPOSE, VOLUME, USER, STOPSIGNAL, HEALTHCHECK,
 * SHELL, ONBUILD, MAINTAINER. Pure: expanded instruction + stage state in,
 * new Image out. History strings follow BuildKit's (dockerfile2llb).
 */
import { exposedPorts, stopSignal, volumes } from '../../dockerfile/dispatch-values.js';
import type { CommandLine, Instruction } from '../../dockerfile/instructions.js';
import type { StageScope } from '../../dockerfile/scope.js';
import type { Image } from '../../image/image.js';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Per-stage facts that change how later instructions apply. */
export interface StageConfigState {
  scope: StageScope;
  /** CMD was set in this stage (ENTRYPOINT then keeps it; otherwise it resets CMD). */
  cmdSet: boolean;
  /** ISO timestamp for history entries. */
  created: string;
}

export type ConfigInstruction = Extract<
  Instruction,
  {
    kind:
      | 'env'
      | 'arg'
      | 'label'
      | 'cmd'
      | 'entrypoint'
      | 'expose'
      | 'volume'
      | 'user'
      | 'stopsignal'
      | 'healthcheck'
      | 'shell'
      | 'onbuild'
      | 'maintainer';
  }
>;

export function isConfigInstruction(i: Instruction): i is ConfigInstruction {
  switch (i.kind) {
    case 'env':
    case 'arg':
    case 'label':
    case 'cmd':
    case 'entrypoint':
    case 'expose':
    case 'volume':
    case 'user':
    case 'stopsignal':
    case 'healthcheck':
    case 'shell':
    case 'onbuild':
    case 'maintainer':
      return true;
    default:
      return false;
  }
}

/** Go's %q of a []string, as BuildKit writes CMD/ENTRYPOINT history: ["a" "b"]. */
function goQuoteList(args: readonly string[]): string {
  return `[${args.map((a) => JSON.stringify(a)).join(' ')}]`;
}

/** A command line as the config stores it: exec form as is, shell form through the stage's SHELL. */
export function commandArgs(cmd: CommandLine, shell: readonly string[]): string[] {
  return cmd.form === 'exec' ? [...cmd.args] : [...shell, cmd.command];
}

/** The stage's SHELL: the config's, or /bin/sh -c. */
export function stageShell(image: Image): string[] {
  const s = image.config.config.Shell;
  return s && s.length > 0 ? [...s] : [...DEFAULT_SHELL];
}

/** A config set (ExposedPorts, Volumes: keys with `{}` values) with `keys` added. */
function withKeys(set: Record<string, object> | undefined, keys: readonly string[]): Record<string, object> {
  const out = { ...(set ?? {}) };
  for (const k of keys) out[k] = {};
  return out;
}

export function applyConfigInstruction(
  image: Image,
  instr: ConfigInstruction,
  state: StageConfigState,
): Image {
  const created = state.created;
  const history = (createdBy: string) => ({ created, created_by: createdBy });
  switch (instr.kind) {
    case 'env': {
      state.scope.applyEnv(instr.pairs);
      const env = state.scope.configEnv();
      return image
        .withConfig((c) => {
          c.config.Env = env;
        })
        .addHistory(history(`ENV ${instr.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`));
    }
    case 'arg': {
      state.scope.applyArg(instr);
      const declared = new Map(state.scope.declaredArgs().map((a) => [a.name, a.value]));
      const text = instr.args
        .map((a) => {
          const v = declared.get(a.name);
          return v === undefined ? a.name : `${a.name}=${v}`;
        })
        .join(' ');
      return image.addHistory(history(`ARG ${text}`));
    }
    case 'label':
      return image
        .withConfig((c) => {
          c.config.Labels = { ...(c.config.Labels ?? {}) };
          for (const p of instr.pairs) c.config.Labels[p.key] = p.value;
        })
        .addHistory(history(`LABEL ${instr.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`));
    case 'cmd': {
      const args = commandArgs(instr.command, stageShell(image));
      state.cmdSet = true;
      return image
        .withConfig((c) => {
          c.config.Cmd = args;
        })
        .addHistory(history(`CMD ${goQuoteList(args)}`));
    }
    case 'entrypoint': {
      const args = commandArgs(instr.command, stageShell(image));
      const cmdSet = state.cmdSet;
      return image
        .withConfig((c) => {
          c.config.Entrypoint = args.length ? args : null;
          // Docker: an ENTRYPOINT resets a CMD inherited from the base image.
          if (!cmdSet) c.config.Cmd = null;
        })
        .addHistory(history(`ENTRYPOINT ${goQuoteList(args)}`));
    }
    case 'expose':
    case 'volume': {
      // Both add keys to a set in the config.
      const field = instr.kind === 'expose' ? 'ExposedPorts' : 'Volumes';
      const keys = instr.kind === 'expose' ? exposedPorts(instr) : volumes(instr);
      return image
        .withConfig((c) => {
          c.config[field] = withKeys(c.config[field], keys);
        })
        .addHistory(history(`${instr.kind.toUpperCase()} [${keys.join(' ')}]`));
    }
    case 'user':
      return image
        .withConfig((c) => {
          c.config.User = instr.user;
        })
        .addHistory(history(`USER ${instr.user}`));
    case 'stopsignal': {
      const sig = stopSignal(instr);
      return image
        .withConfig((c) => {
          c.config.StopSignal = sig;
        })
        .addHistory(history(`STOPSIGNAL ${sig}`));
    }
    case 'healthcheck':
      return image
        .withConfig((c) => {
          c.config.Healthcheck = { ...instr.health };
        })
        .addHistory(history(`HEALTHCHECK ${goQuoteList(instr.health.Test ?? [])}`));
    case 'shell':
      return image
        .withConfig((c) => {
          c.config.Shell = [...instr.shell];
        })
        .addHistory(history(`SHELL [${instr.shell.join(' ')}]`));
    case 'onbuild':
      return image
        .withConfig((c) => {
          c.config.OnBuild = [...(c.config.OnBuild ?? []), instr.expression];
        })
        .addHistory(history(`ONBUILD ${instr.expression}`));
    case 'maintainer':
      return image
        .withConfig((c) => {
          c.author = instr.maintainer;
        })
        .addHistory(history(`MAINTAINER ${instr.maintainer}`));
    default: {
      const never: never = instr;
      throw new Error(`unhandled config instruction ${JSON.stringify(never)}`);
    }
  }
}
