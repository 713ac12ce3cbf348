/**
 * docker/build-push-action's input names, read as GitHub passes them
 * (INPUT_<NAME> with the dash kept): the ones Kiln implements map onto
 * BuildOptions, the others are refused by name with why, and the values
 * that ask for what Kiln does anyway are accepted.
 */
import { describe, expect, test } from '@jest/globals';
import { parseCacheSpec, parseOutputSpec, splitCsv } from '../../src/action/buildx-specs.js';
import { REFUSED_INPUTS } from '../../src/action/foreign-inputs.js';
import { plan, RUNNER_TEMP } from './helpers.js';

const WS = '/home/runner/work/action-kaniko/action-kaniko';
const GH = 'ghcr.io/aevea/action-kaniko';

function problemsOf(given: Record<string, string>): string {
  try {
    plan(given);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no problem reported');
}

describe('build-push-action inputs Kiln implements', () => {
  test('build-args builds with the value (it used to be dropped with only a runner warning)', () => {
    expect(plan({ image: 'app', 'build-args': 'MSG=x\nB=y=z' }).options.buildArgs).toEqual(
      new Map([
        ['MSG', 'x'],
        ['B', 'y=z'],
      ]),
    );
    expect(problemsOf({ image: 'app', 'build-args': 'A=1', build_args: 'A=2' })).toMatch(
      /input "build-args": conflicts with build_args/,
    );
    expect(problemsOf({ image: 'app', 'build-args': 'NOVALUE' })).toMatch(/input "build-args": "NOVALUE"/);
  });

  test('push defaults to true, but outputs/load without type=registry build only, as build-push-action', () => {
    expect(plan({ image: 'app' }).options.push).toBe(true);
    expect(plan({ image: 'app', load: 'true' }).options.push).toBe(false);
    expect(plan({ image: 'app', outputs: 'type=docker,dest=img.tar' }).options.push).toBe(false);
    expect(plan({ image: 'app', outputs: 'type=registry\ntype=docker,dest=img.tar' }).options.push).toBe(
      true,
    );
    expect(plan({ image: 'app', outputs: 'type=image,push=true' }).options.push).toBe(true);
    expect(plan({ image: 'app', load: 'true', push: 'true' }).options.push).toBe(true);
  });

  test('outputs: docker archive, OCI layout, OCI archive; load through a temporary tar', () => {
    const docker = plan({ image: 'app', outputs: 'type=docker,dest=out/img.tar' });
    expect(docker.options.tarPath).toBe(`${WS}/out/img.tar`);
    expect(docker.action.outputs).toEqual({});
    const layout = plan({ image: 'app', outputs: 'type=oci,dest=out/oci,tar=false' });
    expect(layout.options.ociLayoutPath).toBe(`${WS}/out/oci`);
    const archive = plan({ image: 'app', outputs: 'type=oci,dest=img-oci.tar' });
    expect(archive.options.ociLayoutPath).toBe(`${RUNNER_TEMP}/kiln-oci-42`);
    expect(archive.action.outputs.ociArchive).toBe(`${WS}/img-oci.tar`);
    const load = plan({ image: 'app', load: 'true' });
    expect(load.options.tarPath).toBe(`${RUNNER_TEMP}/kiln-load-42.tar`);
    expect(load.action.outputs.load).toEqual({ tar: `${RUNNER_TEMP}/kiln-load-42.tar`, temporary: true });
    const both = plan({ image: 'app', load: 'true', outputs: 'type=docker,dest=keep.tar' });
    expect(both.action.outputs.load).toEqual({ tar: `${WS}/keep.tar`, temporary: false });
    expect(plan({ image: 'app', outputs: 'type=docker' }).action.outputs.load?.temporary).toBe(true);
  });

  test.each([
    ['type=local,dest=out', /type=local is not supported: Kiln writes images, not their files/],
    ['type=tar,dest=x.tar', /type=tar is not supported/],
    ['type=cacheonly', /type=cacheonly is not supported/],
    ['type=image', /type=image without push=true/],
    ['type=docker,dest=-', /dest=- \(standard output\) is not supported/],
    ['type=docker,name=app', /name= is not supported here/],
    ['dest=x', /no type=/],
    ['type=wasm', /type=wasm is not an output type Kiln knows/],
  ])('outputs %j is refused: %s', (entry, message) => {
    expect(problemsOf({ image: 'app', outputs: entry })).toMatch(message);
  });

  test('no-cache: nothing looked up; a cache that is set is still filled', () => {
    expect(plan({ image: 'app', 'no-cache': 'true' }).options.cache.enabled).toBe(false);
    const withCache = plan({ image: 'app', cache: 'true', 'no-cache': 'true' }).options.cache;
    expect([withCache.enabled, withCache.mode]).toEqual([true, 'write-only']);
    const buildx = plan({ image: 'app', 'cache-to': 'type=gha,mode=max', 'no-cache': 'true' }).options.cache;
    expect(buildx.mode).toBe('write-only');
  });

  test('cache-from/cache-to map onto the one cache Kiln has', () => {
    const gha = plan({ image: 'app', 'cache-from': 'type=gha', 'cache-to': 'type=gha,mode=max' });
    expect(gha.options.cache).toMatchObject({
      enabled: true,
      mode: 'read-write',
      dir: `${RUNNER_TEMP}/kiln-gha-cache`,
    });
    expect(gha.action.cacheBackend).toBe('gha');
    expect(gha.action.ghaCache?.readOnly).toBe(false);
    const scoped = plan({ image: 'app', 'cache-from': 'type=gha,scope=a', 'cache-to': 'type=gha,scope=a' });
    expect(scoped.action.ghaCache?.key).not.toBe(gha.action.ghaCache?.key);
    const reg = plan({
      image: 'app',
      'cache-from': 'type=registry,ref=ghcr.io/o/app-cache',
      'cache-to': 'type=registry,ref=ghcr.io/o/app-cache,mode=max',
    });
    expect(reg.options.cache).toMatchObject({
      enabled: true,
      mode: 'read-write',
      repo: 'ghcr.io/o/app-cache',
    });
    const bare = plan({ image: 'app', 'cache-from': 'ghcr.io/o/app-cache' });
    expect(bare.options.cache).toMatchObject({
      enabled: true,
      mode: 'read-only',
      repo: 'ghcr.io/o/app-cache',
    });
    const local = plan({ image: 'app', 'cache-from': 'type=local,src=.c', 'cache-to': 'type=local,dest=.c' });
    expect(local.options.cache).toMatchObject({ dir: `${WS}/.c`, mode: 'read-write' });
    expect(local.action.cacheBackend).toBe('local');
    const readOnlyGha = plan({ image: 'app', 'cache-from': 'type=gha' });
    expect(readOnlyGha.action.ghaCache?.readOnly).toBe(true);
  });

  test.each<[Record<string, string>, RegExp]>([
    [
      { 'cache-from': 'type=registry,ref=ghcr.io/o/app:buildcache' },
      /ref=ghcr\.io\/o\/app:buildcache names a tag: Kiln stores each cached step as a tag of its own/,
    ],
    [
      { 'cache-from': 'type=gha', 'cache-to': 'type=local,dest=d' },
      /Kiln's cache reads and writes one place/,
    ],
    [{ 'cache-to': 'type=inline' }, /type=inline is Kiln keeps no cache metadata in the image/],
    [{ 'cache-to': 'type=s3,bucket=b' }, /type=s3 is not supported/],
    [{ 'cache-to': 'type=gha,mode=everything' }, /mode=everything: expected max or min/],
    [{ 'cache-to': 'type=registry,ref=r/c,compression=zstd' }, /compression= is not supported here/],
    [{ 'cache-from': 'type=gha', cache: 'true' }, /set either cache-from\/cache-to or cache/],
  ])('%j is refused: %s', (given, message) => {
    expect(problemsOf({ image: 'app', ...given })).toMatch(message);
  });
});

describe('build-push-action inputs Kiln does not implement', () => {
  test.each(Object.keys(REFUSED_INPUTS))('%s: a value fails the step, naming the input', (name) => {
    expect(problemsOf({ image: 'app', [name]: 'x' })).toMatch(new RegExp(`input "${name}": `));
  });

  test('values that ask for what Kiln does are accepted; others are refused', () => {
    const ok = plan({
      image: 'app',
      pull: 'true',
      provenance: 'false',
      sbom: 'false',
      call: 'build',
    });
    expect(ok.options.destinations).toEqual([`${GH}/app:0123456`]);
    expect(problemsOf({ image: 'app', provenance: 'mode=max' })).toMatch(
      /input "provenance": "mode=max" is not supported/,
    );
    expect(problemsOf({ image: 'app', sbom: 'true' })).toMatch(/input "sbom"/);
    expect(problemsOf({ image: 'app', call: 'check' })).toMatch(/input "call"/);
    expect(problemsOf({ image: 'app', network: 'bridge' })).toMatch(
      /input "network": "bridge" is not one of default, none, host/,
    );
    expect(plan({ image: 'app', network: 'host' }).options.network).toBe('host');
    expect(plan({ image: 'app', network: 'none' }).options.network).toBe('none');
    expect(plan({ image: 'app' }).options.network).toBe('default');
    expect(problemsOf({ image: 'app', pull: 'maybe' })).toMatch(/input "pull"/);
  });

  test('every problem is reported at once', () => {
    const m = problemsOf({ image: 'app', 'shm-size': '1g', builder: 'x', platforms: 'linux/' });
    expect(m).toMatch(/3 inputs need fixing/);
  });
});

describe('buildx specs', () => {
  test('CSV as buildx reads it', () => {
    expect(splitCsv('type=local,"dest=a,b",mode=max')).toEqual(['type=local', 'dest=a,b', 'mode=max']);
    expect(splitCsv('"a ""q"""')).toEqual(['a "q"']);
    expect(() => splitCsv('"open')).toThrow(/unterminated quote/);
  });

  test('cache and output specs', () => {
    expect(parseCacheSpec('user/app-cache', 'from')).toEqual({ type: 'registry', ref: 'user/app-cache' });
    expect(parseCacheSpec('type=local,dest=/d', 'to')).toEqual({ type: 'local', dir: '/d' });
    expect(() => parseCacheSpec('type=local,src=/d', 'to')).toThrow(/src= is not supported here/);
    expect(parseCacheSpec('type=gha,scope=x,ignore-error=true', 'to')).toEqual({ type: 'gha', scope: 'x' });
    expect(parseOutputSpec('type=oci,dest=o,tar=false')).toEqual({ type: 'oci', dest: 'o', tar: false });
    expect(parseOutputSpec('type=image,push=true')).toEqual({ type: 'registry' });
    expect(() => parseOutputSpec('type=oci,dest=o,tar=maybe')).toThrow(/tar=maybe: expected true or false/);
  });
});
