/**
 * umoci (as root) unpacks Kiln's OCI layout: layers apply in order,
 * whiteouts included, and the runtime config carries the image config.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { emptyImage } from '../../src/image/image.js';
import { writeLayerBlob } from '../../src/image/layer.js';
import { writeOciLayout } from '../../src/image/oci-layout.js';
import { parsePlatform } from '../../src/image/platform.js';
import { describeWith } from '../lab/prereq.js';
import { gnuTarLayer, removeDir, tempDir } from './helpers.js';

describeWith({ binaries: ['umoci', 'tar'], root: true }, 'umoci unpacks a Kiln OCI layout', () => {
  let work: string;
  beforeAll(async () => {
    work = await tempDir();
  });
  afterAll(() => removeDir(work));

  test.each(['gzip', 'none'] as const)(
    'layers (%s) apply in order with whiteouts; config reaches the bundle',
    async (compression) => {
      const base = await gnuTarLayer({
        'etc/old': 'old',
        'etc/keep': 'keep',
        'app/run.sh': '#!/bin/sh\necho hi\n',
      });
      const top = await gnuTarLayer({ 'etc/.wh.old': '', 'etc/keep': 'changed', 'data/new': 'new' });
      const l1 = await writeLayerBlob(Readable.from([base]), join(work, `base-${compression}`), {
        compression,
      });
      const l2 = await writeLayerBlob(Readable.from([top]), join(work, `top-${compression}`), {
        compression,
      });
      const image = emptyImage(parsePlatform('linux/amd64'))
        .appendLayer(l1, { created_by: 'base' })
        .appendLayer(l2, { created_by: 'top' })
        .withConfig((c) => {
          c.config.Env = ['PATH=/bin', 'GREETING=hi there'];
          c.config.Entrypoint = ['/app/run.sh'];
          c.config.Cmd = ['--flag'];
          c.config.WorkingDir = '/app';
          c.config.User = '0:0';
        });
      const layout = join(work, `layout-${compression}`);
      const bundle = join(work, `bundle-${compression}`);
      await writeOciLayout(layout, image, { tag: 'v1' });
      execFileSync('umoci', ['unpack', '--image', `${layout}:v1`, bundle], { stdio: 'pipe' });
      const rootfs = join(bundle, 'rootfs');
      expect(existsSync(join(rootfs, 'etc/old'))).toBe(false);
      expect(await readFile(join(rootfs, 'etc/keep'), 'utf8')).toBe('changed');
      expect(await readFile(join(rootfs, 'data/new'), 'utf8')).toBe('new');
      expect(await readFile(join(rootfs, 'app/run.sh'), 'utf8')).toContain('echo hi');
      const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'));
      expect(spec.process.args).toEqual(['/app/run.sh', '--flag']);
      expect(spec.process.env).toEqual(expect.arrayContaining(['PATH=/bin', 'GREETING=hi there']));
      expect(spec.process.cwd).toBe('/app');
    },
  );
});
