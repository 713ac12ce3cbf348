import { describe, expect, test } from '@jest/globals';
import { type InputError, Problems } from '../../src/action/input-error.js';
import { optionsForRoot } from '../../src/action/privileged-build.js';
import {
  maskSecrets,
  maskSecretsInput,
  quotedItems,
  secretInputs,
  sshInput,
} from '../../src/action/secret-inputs.js';
import { plan, RUNNER_TEMP } from './helpers.js';

const WS = '/home/runner/work/action-kaniko/action-kaniko';

describe('secrets, secret-files, secret-envs, ssh', () => {
  test('items per line; double quotes keep a multi-line value, "" is a quote', () => {
    expect(quotedItems('a=1\n\n  b = two words  \r\n"c=line1\nline2"\nd="x ""y"""\n')).toEqual([
      'a=1',
      'b = two words',
      'c=line1\nline2',
      'd=x "y"',
    ]);
  });

  test('secrets, files (relative to the workspace) and variables; a later id wins', () => {
    const problems = new Problems();
    const s = secretInputs(
      {
        secrets: 'token=abc=def\nnpmrc="registry=x\n//x/:_authToken=y"',
        files: 'key=./keys/id\nabs=/etc/x',
        envs: 'gh=GITHUB_TOKEN\ntoken=OTHER',
      },
      '/ws',
      problems,
    );
    problems.throwIfAny();
    expect(s).toEqual([
      { id: 'token', env: 'OTHER' },
      { id: 'npmrc', value: 'registry=x\n//x/:_authToken=y' },
      { id: 'key', file: '/ws/keys/id' },
      { id: 'abs', file: '/etc/x' },
      { id: 'gh', env: 'GITHUB_TOKEN' },
    ]);
  });

  test('problems name the input and the item, never the value', () => {
    const problems = new Problems();
    secretInputs({ secrets: 'novalue-s3cret\n=x', files: 'k=', envs: 'e=not a var' }, '/ws', problems);
    sshInput('default\nbad id=x\ndefault=/s', '/ws', problems);
    let message = '';
    try {
      problems.throwIfAny();
    } catch (e) {
      message = (e as InputError).message;
    }
    expect(message).toContain('input "secrets": item 1: expected id=value');
    expect(message).toContain('input "secrets": item 2: expected id=value');
    expect(message).toContain('input "secret-files": k: the path is empty');
    expect(message).toContain('input "secret-envs": e: "not a var" is not an environment variable name');
    expect(message).toContain('input "ssh": "bad id=x": expected default');
    expect(message).toContain('input "ssh": default is given twice');
    expect(message).not.toContain('s3cret');
  });

  test('ssh: default, a socket, keys', () => {
    const problems = new Problems();
    expect(sshInput('default\ngithub=./k1, /k2', '/ws', problems)).toEqual([
      { id: 'default', paths: [] },
      { id: 'github', paths: ['/ws/k1', '/k2'] },
    ]);
  });

  test('every value is masked: given ones, variables, file contents; the raw input before any check', () => {
    const masked: string[] = [];
    maskSecretsInput('a=one\n"b=two\nlines"\nbroken', (s) => masked.push(s));
    maskSecrets(
      [
        { id: 'x', env: 'V' },
        { id: 'y', value: 'v' },
        { id: 'z', file: '/nonexistent' },
      ],
      (s) => masked.push(s),
      {
        V: 'from-env',
      },
    );
    expect(masked).toEqual(['one', 'two\nlines', 'broken', 'from-env', 'v']);
  });

  test('cache_mounts: an archive in RUNNER_TEMP carried by the Actions cache; cache_directory keeps them too', () => {
    const read = (inputs: Record<string, string>) => plan({ image: 'app', ...inputs });
    const off = read({});
    expect(off.options.cacheMounts).toEqual({});
    expect(off.action.cacheMounts).toBeUndefined();
    const on = read({ cache_mounts: 'true', secrets: 'a=b', ssh: 'default' });
    expect(on.options.cacheMounts).toEqual({
      dir: `${RUNNER_TEMP}/kiln-cache-mounts`,
      archive: `${RUNNER_TEMP}/kiln-cache-mounts.tgz`,
    });
    expect(on.action.cacheMounts).toEqual({
      archive: `${RUNNER_TEMP}/kiln-cache-mounts.tgz`,
      key: expect.stringMatching(/^kiln-[0-9a-f]{12}-/),
      restoreKeys: [expect.stringMatching(/^kiln-[0-9a-f]{12}-$/)],
    });
    expect(on.options.secrets).toEqual([{ id: 'a', value: 'b' }]);
    expect(on.options.ssh).toEqual([{ id: 'default', paths: [] }]);
    const local = read({ cache_directory: 'c' });
    expect(local.options.cacheMounts.dir).toBe(`${WS}/c/cache-mounts`);
  });

  test('the root child gets variables as values and the agent socket by path', () => {
    const { options } = plan({ image: 'app', 'secret-envs': 'tok=MY_TOKEN', ssh: 'default\nk=/key' });
    const root = optionsForRoot(options, {
      MY_TOKEN: 'v',
      SSH_AUTH_SOCK: '/run/agent.sock',
      HOME: '/nonexistent',
    });
    expect(root.secrets).toEqual([{ id: 'tok', value: 'v' }]);
    expect(root.ssh).toEqual([
      { id: 'default', paths: ['/run/agent.sock'] },
      { id: 'k', paths: ['/key'] },
    ]);
  });
});
