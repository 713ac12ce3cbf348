/**
 * WORKDIR: sets the config's WorkingDir and, like BuildKit, creates the
 * directory (mkdir -p, owned by the current USER); creating it makes a layer,
 * an existing directory makes none.
 */

import { workdir } from '../../dockerfile/dispatch-values.js';
import type { WorkdirInstruction } from '../../dockerfile/instructions.js';
import { mkdirInRoot } from '../../fs/root-path.js';
import { resolveUser } from '../fs/user.js';
import { filesystemStep, materialize, noteWritten, type StepEnv, type StepResult } from '../stage/step.js';
import { canChown, ownedLayer } from './owned-layer.js';

export async function workdirInstruction(env: StepEnv, instr: WorkdirInstruction): Promise<StepResult> {
  const { session } = env;
  const wd = workdir(env.image.config.config.WorkingDir ?? '', instr);
  const image = env.image.withConfig((c) => {
    c.config.WorkingDir = wd;
  });
  const userSpec = image.config.config.User ?? '';
  return filesystemStep(env, {
    image,
    createdBy: `WORKDIR ${wd}`,
    fields: (k) => k.field('step', 'workdir').field('path', wd).field('user', userSpec),
    cacheable: true,
    produce: async () => {
      await materialize(env, image);
      const root = env.root.dir;
      const user = await resolveUser(root, userSpec);
      const owner = { uid: user.uid, gid: user.gid };
      const { created } = mkdirInRoot(root, wd, {
        mode: 0o755,
        ...(canChown() ? owner : {}),
        refuse: (rel) => env.root.refuseWrite(rel),
      });
      if (created.length === 0) return undefined;
      const layer = await session.storeLayer(
        ownedLayer(
          root,
          created.map((p) => [p, owner] as [string, typeof owner]),
          { clampMtime: session.clampMtime },
        ),
        env.layerCompression,
      );
      await noteWritten(env, created);
      return layer;
    },
  });
}
