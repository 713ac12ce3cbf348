/**
 * The harness end to end with buildah on both sides: two builds of one case
 * compare equal (no noise from times, ids or storage), and a build that
 * differs in a mode, a link and a missing file is reported path by path.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  buildWithBuildah,
  compareImages,
  DIFFERENTIAL_BINARIES,
  type DiffCase,
  type DifferentialLab,
  formatComparison,
  imageFromLayout,
  prepareCase,
  runCommand,
  startLab,
} from '../lab/differential.js';
import { removeMountStubs } from '../lab/intended-differences.js';
import { describeWith } from '../lab/prereq.js';
import { runCases } from './cases/run.js';

describeWith(
  { root: true, binaries: DIFFERENTIAL_BINARIES },
  'differential harness: buildah against buildah',
  () => {
    let lab: DifferentialLab;
    beforeAll(async () => {
      lab = await startLab();
    }, 120_000);
    afterAll(async () => {
      await lab?.stop();
    });

    // Buildah on both sides: no buildah-specific patches, and the mount stubs go from both trees.
    const links: DiffCase = {
      ...(runCases.find((c) => c.name === 'run-links') as DiffCase),
      differences: [],
      expect: {},
    };

    test('two builds of the same case are equal', async () => {
      const first = await buildWithBuildah(lab, await prepareCase(lab, links));
      const second = await buildWithBuildah(
        lab,
        await prepareCase(lab, { ...links, name: 'run-links-again' }),
      );
      removeMountStubs(second.tree);
      const cmp = compareImages(first, second, links);
      expect(cmp.lines).toEqual([]);
      expect(cmp.applied).toContain('run-mount-stubs');
    });

    test("an untagged OCI layout (as Kiln's may be) is read like a registry image", async () => {
      const p = await prepareCase(lab, { ...links, name: 'run-links-layout' });
      const viaRegistry = await buildWithBuildah(lab, p);
      const layout = join(p.dir, 'untagged-oci');
      await runCommand('skopeo', [
        'copy',
        '-q',
        '--src-tls-verify=false',
        `docker://${lab.registry.host}/peer/run-links-layout:buildah`,
        `oci:${layout}`,
      ]);
      const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
      expect(index.manifests[0].annotations?.['org.opencontainers.image.ref.name']).toBeUndefined();
      const viaLayout = await imageFromLayout(layout, p, 'kiln', viaRegistry.startedAt);
      removeMountStubs(viaLayout.tree);
      // The OCI conversion drops Docker-only config fields; this case has none, so all compare.
      expect(compareImages(viaRegistry, viaLayout, links).lines).toEqual([]);
      expect(viaLayout.layers).toBe(viaRegistry.layers);
    });

    test('a different build is reported path by path', async () => {
      const reference = await buildWithBuildah(lab, await prepareCase(lab, links));
      const changed: DiffCase = {
        ...links,
        name: 'run-links-changed',
        dockerfile: links.dockerfile.replace(
          '&& mkfifo /links/fifo',
          '&& chmod 600 /links/f && rm /links/hard',
        ),
      };
      const other = await buildWithBuildah(lab, await prepareCase(lab, changed));
      removeMountStubs(other.tree);
      const cmp = compareImages(reference, other, links);
      const message = formatComparison(links, 'buildah', 'buildah', cmp);
      expect(cmp.lines).toEqual([
        '~ /links/f  mode 0644 ≠ 0600; hardlinks [/links/hard] ≠ []  (buildah ≠ buildah)',
        '- /links/fifo  only in buildah: fifo 0644 0:0',
        '- /links/hard  only in buildah: file 0644 0:0 5B sha256:6667b2d1aab6 links=[/links/f]',
      ]);
      expect(message).toContain('case "run-links"');
      expect(message).toContain('intended differences applied to buildah: run-mount-stubs');
    });
  },
);
