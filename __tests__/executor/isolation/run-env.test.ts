import { describe, expect, test } from '@jest/globals';
import { deferredEnvWrapper, EnvError, splitEnv } from '../../../src/executor/isolation/run-env.js';

describe('splitEnv', () => {
  test('loader, libc and path-valued locale variables never go to a host binary', () => {
    const { direct, deferred } = splitEnv([
      'PATH=/usr/bin:/bin',
      'LD_PRELOAD=/evil.so',
      'LD_LIBRARY_PATH=/x',
      'LD_ANYTHING_NEW=1',
      'GCONV_PATH=/g',
      'GLIBC_TUNABLES=glibc.malloc.check=3',
      'MALLOC_CHECK_=3',
      'TMPDIR=/t',
      'LANG=C.UTF-8',
      'LC_ALL=/abs/locale',
      'LANGUAGE=../../x',
      'TZ=UTC',
      'FOO=a=b',
    ]);
    expect(direct).toEqual(['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', 'TZ=UTC', 'FOO=a=b']);
    expect(deferred.map((v) => v.name)).toEqual([
      'LD_PRELOAD',
      'LD_LIBRARY_PATH',
      'LD_ANYTHING_NEW',
      'GCONV_PATH',
      'GLIBC_TUNABLES',
      'MALLOC_CHECK_',
      'TMPDIR',
      'LC_ALL',
      'LANGUAGE',
    ]);
  });

  test('last value of a name wins; malformed entries are rejected', () => {
    expect(splitEnv(['A=1', 'A=2']).direct).toEqual(['A=2']);
    expect(() => splitEnv(['=x'])).toThrow(EnvError);
    expect(() => splitEnv(['NOEQUALS'])).toThrow(EnvError);
  });

  test('wrapper passes values as arguments, never inside the script', () => {
    const w = deferredEnvWrapper('/bin/sh', [
      { name: 'LD_PRELOAD', value: `$(touch /pwned)'"` },
      { name: 'TMPDIR', value: '/t' },
    ]);
    expect(w.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(w[2]).toBe(`export LD_PRELOAD="\${1}" TMPDIR="\${2}"; shift 2; exec "$@"`);
    expect(w.slice(3)).toEqual(['kiln-env', `$(touch /pwned)'"`, '/t']);
    expect(() => deferredEnvWrapper('/bin/sh', [{ name: 'LD_A-B', value: '' }])).toThrow(EnvError);
  });
});
