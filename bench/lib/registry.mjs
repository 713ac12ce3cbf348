/**
 * Debian's docker-registry (distribution 2.8) on a free loopback port, its
 * data in the bench filesystem. Base images pushed once stay between runs;
 * the bench/* repositories of earlier runs are dropped and their blobs
 * garbage-collected before the registry starts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { run } from './sh.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(url, child) {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('docker-registry did not come up in 10 s');
}

export async function startRegistry(root, logFile) {
  const data = join(root, 'data');
  mkdirSync(data, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(root, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn, accesslog: { disabled: true } }',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${data}`,
      '  delete: { enabled: true }',
      '  maintenance:',
      '    uploadpurging: { enabled: false }',
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  );
  // Earlier runs' images go; their blobs with them (bases stay).
  rmSync(join(data, 'docker/registry/v2/repositories/bench'), { recursive: true, force: true });
  await run(['docker-registry', 'garbage-collect', config], { allowFail: true, log: logFile });
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'ignore'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  await waitUp(`http://${host}`, child);
  return {
    host,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode !== null) return;
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** True when the registry holds a manifest for repo:tag. */
export async function hasManifest(host, repo, tag) {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept:
        'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  return r.ok;
}
