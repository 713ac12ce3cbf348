/**
 * differentialSuite(): one lab (registry + buildah storage) per test file;
 * per case two tests: buildah's build (the reference, with the case's own
 * expectations checked after the intended differences), then Kiln's build
 * compared with it. A Kiln failure — build() throwing included — fails the
 * second test; it is never skipped.
 */
import { afterAll, beforeAll, describe, test } from '@jest/globals';
import {
  type BuiltImage,
  buildWithBuildah,
  buildWithKiln,
  checkImage,
  compareImages,
  DIFFERENTIAL_BINARIES,
  type DiffCase,
  type DifferentialLab,
  formatComparison,
  normalizedReference,
  type PreparedCase,
  prepareCase,
  startLab,
} from '../lab/differential.js';
import { describeWith } from '../lab/prereq.js';

export function differentialSuite(area: string, cases: DiffCase[]): void {
  describeWith(
    { root: true, binaries: DIFFERENTIAL_BINARIES },
    `differential (${area}): Kiln ≡ buildah`,
    () => {
      let lab: DifferentialLab | undefined;
      beforeAll(async () => {
        lab = await startLab();
      }, 120_000);
      afterAll(async () => {
        await lab?.stop();
      });

      for (const c of cases) {
        describe(c.name, () => {
          let prepared: PreparedCase | undefined;
          let reference: BuiltImage | undefined;

          test(`buildah builds it as the case says: ${c.covers}`, async () => {
            if (!lab) throw new Error('the differential lab did not start');
            prepared = await prepareCase(lab, c);
            reference = await buildWithBuildah(lab, prepared);
            const problems = checkImage(normalizedReference(reference, c).image, c);
            if (problems.length)
              throw new Error(`case "${c.name}" does not hold for buildah:\n${problems.join('\n')}`);
          });

          test('kiln builds the same image', async () => {
            if (!lab || !prepared || !reference)
              throw new Error('no reference image to compare with: the buildah test above failed');
            const kiln = await buildWithKiln(lab, prepared);
            const cmp = compareImages(reference, kiln, c);
            if (cmp.lines.length) throw new Error(formatComparison(c, 'buildah', 'kiln', cmp));
          });
        });
      }
    },
  );
}
