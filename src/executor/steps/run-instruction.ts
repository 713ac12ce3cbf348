/**
 * RUN: the command in the sandbox over a snapshot of the stage's
 * filesystem, with its --mount things in place (run-mounts.ts); what it
 * changed becomes the step's layer. BuildKit's argv (runCommandPlan: exec
 * form, SHELL + script, heredocs) and history text. Secret values are
 * replaced by **** in the output Kiln logs and in errors.
 */
import { writeLayer } from '../../archive/layer-writer.js';
import type { ParsedDockerfile } from '../../dockerfile/dockerfile.js';
import type { RunInstruction } from '../../dockerfile/instructions.js';
import { runCommandPlan } from '../../dockerfile/run-command.js';
import type { Layer } from '../../image/blob.js';
import { assertEntitled } from '../entitlements.js';
import { resolveUser } from '../fs/user.js';
import type { OutputStream } from '../isolation/sandbox.js';
import { layerSize } from '../session.js';
import { RunCommandError, type RunStep } from '../snapshot/run-step.js';
import { stageShell } from '../stage/config-edits.js';
import { filesystemStep, materialize, type StepEnv, type StepResult } from '../stage/step.js';
import type { FromResolver } from './copy-instruction.js';
import { planRunMounts } from './run-mounts.js';

/** Splits output into lines for the log, per stream, keeping partial lines until complete. */
function lineWriter(emit: (line: string) => void): {
  write: (chunk: Buffer, stream: OutputStream) => void;
  end: () => void;
} {
  const partial: Record<OutputStream, string> = { stdout: '', stderr: '' };
  return {
    write(chunk, stream) {
      const text = partial[stream] + chunk.toString('utf8');
      const lines = text.split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const l of lines) emit(l.replace(/\r$/, ''));
    },
    end() {
      for (const s of ['stdout', 'stderr'] as const) {
        if (partial[s]) emit(partial[s]);
        partial[s] = '';
      }
    },
  };
}

export async function runInstruction(
  env: StepEnv,
  instr: RunInstruction,
  df: ParsedDockerfile,
  from: FromResolver,
): Promise<StepResult> {
  const { session } = env;
  assertEntitled(instr, session.options);
  const plan = runCommandPlan(instr);
  const shell = stageShell(env.image);
  const pipes: { name: string; content: string; mode: number }[] = [];
  let argv: string[];
  switch (plan.kind) {
    case 'exec':
      argv = plan.args;
      break;
    case 'shell':
      argv = [...shell, plan.script];
      break;
    case 'file':
      argv = [...shell, plan.path];
      pipes.push({ name: plan.path.split('/').pop()!, content: plan.content, mode: plan.mode });
      break;
    default: {
      const never: never = plan;
      throw new Error(`unhandled RUN plan ${JSON.stringify(never)}`);
    }
  }
  const mounts = instr.mounts.length
    ? await planRunMounts(env, instr, df, from, env.scope.runEnvironment())
    : undefined;
  const runEnv = [...env.scope.runEnvironment(), ...(mounts?.env ?? [])];
  const secrets = session.runMounts.secrets;
  const config = env.image.config.config;
  const userSpec = config.User ?? '';
  const cwd = config.WorkingDir || '/';
  const network = instr.network ?? session.options.network;
  const args = env.scope.historyArgs();
  const createdBy = `RUN ${args.length ? `|${args.length} ${args.join(' ')} ` : ''}${argv.join(' ')}`;

  return filesystemStep(env, {
    createdBy,
    fields: (k) => {
      k.field('step', 'run')
        .list('argv', argv)
        .list('env', runEnv)
        .field('user', userSpec)
        .field('cwd', cwd)
        .field('network', network)
        .field('security', instr.security ?? 'sandbox')
        // What each mount shows (a bind mount's content included), never a secret's value.
        .list('mounts', mounts?.keys ?? []);
      for (const p of pipes) k.field('pipe', `${p.name}\0${p.mode}\0${p.content}`);
    },
    cacheable: session.options.cache.runLayers,
    produce: async () => {
      await materialize(env);
      const user = await resolveUser(env.root.dir, userSpec);
      const out = lineWriter((line) => session.log.info(`${env.label} ${secrets.redact(line)}`));
      const prepared = await mounts?.prepare();
      let step: RunStep;
      try {
        step = await env.root.run({
          argv,
          env: runEnv,
          cwd,
          user,
          home: user.home,
          network,
          onOutput: out.write,
          signal: session.signal,
          ...(pipes.length ? { pipes } : {}),
          ...(prepared?.runMounts.length ? { runMounts: prepared.runMounts } : {}),
          ...(prepared?.secretEnv.length ? { secretEnv: prepared.secretEnv } : {}),
          ...(instr.security ? { security: instr.security } : {}),
        });
      } catch (e) {
        if (e instanceof RunCommandError && secrets.size > 0) {
          throw new RunCommandError(
            e.argv,
            e.exitCode,
            e.tail.map((l) => secrets.redact(l)),
            e.signal,
          );
        }
        throw e;
      } finally {
        out.end();
        await prepared?.release();
      }
      const log = session.log;
      const t = step.timings;
      log.debug(`timing: run ${t.runMs.toFixed(0)} ms ${env.label}`);
      try {
        const n = step.changes.changes.length;
        let layer: Layer | undefined;
        let layerMs = 0;
        if (n > 0) {
          const started = performance.now();
          layer = await session.storeLayer(
            writeLayer(step.changes, { clampMtime: session.clampMtime, xattrs: session.xattrs }),
            env.layerCompression,
          );
          layerMs = performance.now() - started;
        }
        const committing = performance.now();
        await step.commit();
        const commitMs = performance.now() - committing;
        const snapshotMs = t.prepareMs + t.finishMs + commitMs;
        log.debug(
          `timing: snapshot ${snapshotMs.toFixed(0)} ms ${env.label} (${n} changes; prepare ${t.prepareMs.toFixed(0)}, collect ${t.finishMs.toFixed(0)}, commit ${commitMs.toFixed(0)} ms)`,
        );
        if (layer) log.debug(`timing: layer ${layerMs.toFixed(0)} ms ${env.label} (${layerSize(layer)})`);
        return layer;
      } catch (e) {
        await step.discard().catch(() => undefined);
        throw e;
      }
    },
  });
}
