/**
 * WORKDIR: sets the config's WorkingDir and, like BuildKit, creates the
 * directory (mkdir -p, owned by the current USER); creating it makes a layer,
 * an existing directory makes none.
 */

import { workdir } from '../../dockerfile/dispatch-values.js';
import type { WorkdirInstruction } from '../../dockerfile/instructions.js';
import { mkdirInRoot } from '../../fs/root-path.js';
import { resolveUser } from '../fs/user.js';
import { storeLayer } from '../stage/build-context.js';
import { filesystemStep, type StageHost, type StepOutcome } from '../stage/step.js';
import { canChown, ownedLayer } from './owned-layer.js';

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
      const owner = { uid: user.uid, gid: user.gid };
      const { created } = mkdirInRoot(host.fs.dir, wd, { mode: 0o755, ...(canChown() ? owner : {}) });
      if (created.length === 0) return undefined;
      const layer = await storeLayer(
        host.ctx,
        ownedLayer(
          host.fs.dir,
          created.map((p) => [p, owner] as [string, typeof owner]),
          { clampMtime: host.ctx.clampMtime },
        ),
        host.layerCompression,
      );
      await host.noteChanges({
        sourceRoot: host.fs.dir,
        changes: created.map((p) => ({ kind: 'add' as const, path: p })),
      });
      return layer;
    },
  );
}
