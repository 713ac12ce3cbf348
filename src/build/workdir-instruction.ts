/**
 * WORKDIR: sets the config's WorkingDir and, like BuildKit, creates the
 * directory (mkdir -p, owned by the current USER); creating it makes a layer,
 * an existing directory makes none.
 */
import { writeLayer } from '../archive/layer-writer.js';
import { workdir } from '../dockerfile/dispatch-values.js';
import type { WorkdirInstruction } from '../dockerfile/instructions.js';
import { storeLayer } from './build-context.js';
import { mkdirInRoot } from './sandbox-paths.js';
import { filesystemStep, type StageHost, type StepOutcome } from './stage-host.js';
import { resolveUser } from './user.js';

export async function workdirInstruction(host: StageHost, instr: WorkdirInstruction): Promise<StepOutcome> {
  const wd = workdir(host.image.config.config.WorkingDir ?? '', instr);
  host.image = host.image.withConfig((c) => {
    c.config.WorkingDir = wd;
  });
  const userSpec = host.image.config.config.User ?? '';
  return filesystemStep(
    host,
    `WORKDIR ${wd}`,
    (k) => k.field('step', 'workdir').field('path', wd).field('user', userSpec),
    true,
    async () => {
      await host.ensureFs();
      const user = await resolveUser(host.fs.dir, userSpec);
      const { created } = await mkdirInRoot(host.fs.dir, wd, { mode: 0o755, uid: user.uid, gid: user.gid });
      if (created.length === 0) return undefined;
      const changes = {
        sourceRoot: host.fs.dir,
        changes: created.map((p) => ({ kind: 'add' as const, path: p })),
      };
      const layer = await storeLayer(
        host.ctx,
        writeLayer(changes, { clampMtime: host.ctx.clampMtime }),
        host.layerCompression,
      );
      await host.noteChanges(changes);
      return layer;
    },
  );
}
