/**
 * Kiln in an unprivileged container (in place) ≡ Kiln with chroot isolation
 * on the host: every differential case, built by both `--reproducible`.
 * The same digest, or the same tree and config once the case's intended
 * in-place differences (lab/in-place-differences.ts) are applied.
 */
import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { ALL_CASES } from '../differential/cases/index.js';
import { prepareCase } from '../lab/differential.js';
import { compareInPlace, IN_PLACE_CASES } from '../lab/in-place-differences.js';
import {
  buildChroot,
  buildInContainer,
  IN_PLACE_BINARIES,
  type InPlaceLab,
  startInPlaceLab,
  withDebian,
} from '../lab/in-place-lab.js';
import { describeWith } from '../lab/prereq.js';

describeWith(
  { root: true, binaries: IN_PLACE_BINARIES },
  'in place in a container ≡ chroot isolation',
  () => {
    let lab: InPlaceLab | undefined;
    beforeAll(async () => {
      lab = await startInPlaceLab({ debian: true });
    }, 30 * 60_000);
    afterAll(async () => {
      await lab?.stop();
    }, 120_000);

    // KILN_IN_PLACE_CASES=a,b runs only those (by hand, while working on one).
    const only = process.env.KILN_IN_PLACE_CASES?.split(',');
    for (const c of [...ALL_CASES, ...IN_PLACE_CASES].filter((x) => !only || only.includes(x.name))) {
      describe(c.name, () => {
        test(`same image: ${c.covers}`, async () => {
          if (!lab) throw new Error('the in-place lab did not start');
          const p = await prepareCase(lab.lab, withDebian(c, lab));
          // Independent builds (one in process, one in a container): side by side.
          const [chroot, inPlace] = await Promise.all([buildChroot(lab, p), buildInContainer(lab, p)]);
          const problems = await compareInPlace(p, chroot, inPlace);
          if (problems.length) throw new Error(problems.join('\n'));
        }, 600_000);
      });
    }
  },
);
