/**
 * RUN: the command in the sandbox over a snapshot of the stage's
 * filesystem; what it changed becomes the step's layer. BuildKit's argv
 * (runCommandPlan: exec form, SHELL + script, heredocs) and history text.
 */
import { writeLayer } from '../../archive/layer-writer.js';
import type { RunInstruction } from '../../dockerfile/instructions.js';
import { runCommandPlan } from '../../dockerfile/run-command.js';
import type { Layer } from '../../image/blob.js';
import { resolveUser } from '../fs/user.js';
import type { OutputStream } from '../isolation/isolation.js';
import { runStep } from '../snapshot/run-step.js';
import { layerSize, storeLayer } from '../stage/build-context.js';
import { stageShell } from '../stage/config-edits.js';
import { filesystemStep, type StageHost, type StepOutcome } from '../stage/step.js';

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

export async function runInstruction(host: StageHost, instr: RunInstruction): Promise<StepOutcome> {
  const plan = runCommandPlan(instr);
  const shell = stageShell(host.image);
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
  const env = host.scope.runEnvironment();
  const config = host.image.config.config;
  const userSpec = config.User ?? '';
  const cwd = config.WorkingDir || '/';
  const network = instr.network ?? 'default';
  const args = host.scope.historyArgs();
  const createdBy = `RUN ${args.length ? `|${args.length} ${args.join(' ')} ` : ''}${argv.join(' ')}`;

  return filesystemStep(
    host,
    createdBy,
    (k) => {
      k.field('step', 'run')
        .list('argv', argv)
        .list('env', env)
        .field('user', userSpec)
        .field('cwd', cwd)
        .field('network', network)
        .field('security', instr.security ?? 'sandbox')
        // The mount specs as written; a bind mount's source content is not hashed (see the cache notes).
        .list(
          'mounts',
          instr.mounts.map((m) =>
            JSON.stringify([
              m.type,
              m.target ?? '',
              m.source ?? '',
              m.from ?? '',
              m.readonly,
              sortedOptions(m.options),
            ]),
          ),
        );
      for (const p of pipes) k.field('pipe', `${p.name}\0${p.mode}\0${p.content}`);
    },
    host.ctx.options.cache.runLayers,
    async () => {
      await host.ensureFs();
      const sandbox = await host.ctx.sandbox();
      const user = await resolveUser(host.fs.dir, userSpec);
      const snapshotter = await host.snapshotter();
      const out = lineWriter((line) => host.ctx.log.info(`${host.label} ${line}`));
      let step: Awaited<ReturnType<typeof runStep>>;
      try {
        step = await runStep({
          sandbox,
          snapshotter,
          spec: {
            argv,
            env,
            cwd,
            user,
            network,
            onOutput: out.write,
            signal: host.ctx.signal,
            ...(pipes.length ? { pipes } : {}),
          },
          home: user.home,
        });
      } finally {
        out.end();
      }
      const log = host.ctx.log;
      const t = step.timings;
      log.debug(`timing: run ${t.runMs.toFixed(0)} ms ${host.label}`);
      try {
        const n = step.changes.changes.length;
        let layer: Layer | undefined;
        let layerMs = 0;
        if (n > 0) {
          const started = performance.now();
          layer = await storeLayer(
            host.ctx,
            writeLayer(step.changes, { clampMtime: host.ctx.clampMtime, xattrs: host.ctx.xattrs }),
            host.layerCompression,
          );
          layerMs = performance.now() - started;
        }
        const committing = performance.now();
        await step.commit();
        const commitMs = performance.now() - committing;
        const snapshotMs = t.prepareMs + t.finishMs + commitMs;
        log.debug(
          `timing: snapshot ${snapshotMs.toFixed(0)} ms ${host.label} (${n} changes; prepare ${t.prepareMs.toFixed(0)}, collect ${t.finishMs.toFixed(0)}, commit ${commitMs.toFixed(0)} ms)`,
        );
        if (layer) log.debug(`timing: layer ${layerMs.toFixed(0)} ms ${host.label} (${layerSize(layer)})`);
        return layer;
      } catch (e) {
        await step.discard().catch(() => undefined);
        throw e;
      }
    },
  );
}

function sortedOptions(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
