/**
 * RUN --mount through build(), as root: a secret's value is nowhere (layers,
 * config, history, manifest, OCI layout, layer cache, log, errors); a
 * missing required secret names its id and line; bind mounts key the cache
 * on their content; cache mounts persist with a cache directory and travel
 * in an archive; --security=insecure needs --allow; an SSH agent answers
 * `ssh-add -l` inside a RUN and refuses changes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { build } from '../../src/executor/build.js';
import type { BuildOptions } from '../../src/executor/options.js';
import type { BuildResult } from '../../src/executor/result.js';
import { streamLogger } from '../../src/log.js';
import { useBuildLab } from '../lab/fixtures.js';
import { allBytes } from '../lab/layout-files.js';
import { describeWith } from '../lab/prereq.js';

const SECRET = 'kiln-leak-canary-4b1d7e0c9a';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function buildLogged(o: BuildOptions): Promise<{ result?: BuildResult; error?: Error; log: string }> {
  const lines: string[] = [];
  const logger = { ...streamLogger({ write: (l) => lines.push(l) }), debug: (m: string) => lines.push(m) };
  try {
    return { result: await build(o, logger), log: lines.join('\n') };
  } catch (e) {
    return { error: e as Error, log: lines.join('\n') };
  }
}

describeWith(
  { root: true, binaries: ['busybox', 'tar', 'docker-registry', 'unshare', 'setpriv', 'base64'] },
  'RUN --mount through build()',
  () => {
    const lab = useBuildLab({ prefix: 'kiln-mounts-e2e-' });

    test("a secret's value is in no layer, config, history, manifest, cache entry, log or error", async () => {
      const ctx = await lab.context({
        Dockerfile: `FROM ${lab.base}
RUN --mount=type=secret,id=token test "$(sha256sum < /run/secrets/token | cut -c1-64)" = "${sha256(SECRET)}" && echo ok > /checked
RUN --mount=type=secret,id=token,env=TOKEN,target=/root/.npmrc cat /root/.npmrc; echo "token is $TOKEN"; echo "$TOKEN" | wc -c > /len
RUN --mount=type=secret,id=token,env=TOKEN env | cut -d= -f1 | grep TOKEN > /env-names; cat /run/secrets/token 2>/dev/null || echo no-file
`,
      });
      const secretFile = path.join(lab.tmp, 'token.txt');
      await fs.writeFile(secretFile, SECRET);
      const o = lab.options(ctx);
      o.push = false;
      o.ociLayoutPath = path.join(lab.tmp, 'leak-oci');
      o.secrets = [{ id: 'token', file: secretFile }];
      o.cache = { ...o.cache, enabled: true, dir: path.join(lab.tmp, 'leak-cache') };
      const { result, log, error } = await buildLogged(o);
      expect(error).toBeUndefined();
      expect(result!.layers).toBe(4);
      expect(log).toContain('token is ****');
      expect(log).toContain('no-file');
      for (const where of [o.ociLayoutPath, o.cache.dir!]) {
        const files = await allBytes(where);
        expect(files.length).toBeGreaterThan(3);
        for (const f of files) expect(f.bytes.includes(SECRET)).toBe(false);
      }
      expect(log.includes(SECRET)).toBe(false);
      // The RUN did see it (its length went into a layer): the test would catch a real leak.
      const tars = (await allBytes(o.ociLayoutPath!)).map((f) => f.bytes.toString('latin1'));
      expect(tars.some((t) => t.includes(`${SECRET.length + 1}\n`))).toBe(true);

      // A failing RUN that prints the secret: the error shows ****.
      const bad = await lab.context({
        Dockerfile: `FROM ${lab.base}\nRUN --mount=type=secret,id=token cat /run/secrets/token; exit 3\n`,
      });
      const fail = lab.options(bad);
      fail.push = false;
      fail.secrets = [{ id: 'token', value: SECRET }];
      const r = await buildLogged(fail);
      expect(r.error?.message).toContain('exited with code 3');
      expect(r.error?.message).toContain('****');
      expect(r.error?.message.includes(SECRET)).toBe(false);
      expect(r.log.includes(SECRET)).toBe(false);
    });

    test('a missing required secret (or SSH agent) is an error naming its id and the line; an optional one is skipped', async () => {
      const ctx = await lab.context({
        Dockerfile: `FROM ${lab.base}\nRUN --mount=type=secret,id=npmrc ls /run/secrets 2>&1 || echo none\n\nRUN --mount=type=secret,id=npmrc,required true\n`,
      });
      const o = lab.options(ctx);
      o.push = false;
      const { error, log } = await buildLogged(o);
      expect(log).toContain('none');
      expect(error?.message).toBe(
        `${path.relative(process.cwd(), path.join(ctx, 'Dockerfile'))}:4: secret "npmrc" is required but was not given: pass --secret id=npmrc,src=FILE (or env=VAR; in the action: secrets, secret-files or secret-envs)`,
      );
      const ssh = await lab.context({
        Dockerfile: `FROM ${lab.base}\nRUN --mount=type=ssh,required=true true\n`,
      });
      const s = lab.options(ssh);
      s.push = false;
      expect((await buildLogged(s)).error?.message).toContain(
        ':2: SSH agent "default" is required but was not given: pass --ssh default[=SOCKET|KEY] (in the action: ssh)',
      );
    });

    test('the cache key of a RUN follows the content of its bind mounts, not of unrelated files', async () => {
      const ctx = await lab.context({
        Dockerfile: `FROM ${lab.base}\nRUN --mount=type=bind,source=conf,target=/conf cat /conf/a > /out\n`,
        'conf/a': 'one\n',
        other: 'x\n',
      });
      const o = lab.options(ctx);
      o.push = false;
      o.cache = { ...o.cache, enabled: true, dir: path.join(lab.tmp, 'bind-key-cache') };
      const run = async () =>
        (await buildLogged(o)).result!.steps.find((s) => s.instruction.startsWith('RUN'))!.cache;
      expect(await run()).toBe('miss');
      expect(await run()).toBe('hit');
      await fs.writeFile(path.join(ctx, 'other'), 'y\n');
      expect(await run()).toBe('hit');
      await fs.writeFile(path.join(ctx, 'conf/a'), 'two\n');
      expect(await run()).toBe('miss');
    });

    test('a relative target is under WORKDIR; rw writes to a context mount are discarded, the context untouched', async () => {
      const ctx = await lab.context({
        Dockerfile: `FROM ${lab.base}\nWORKDIR /app\nRUN --mount=type=bind,source=conf,target=conf,rw cat conf/a > seen && echo changed > conf/a && echo new > conf/b\nRUN --mount=type=bind,target=ctx cat ctx/conf/a > after && ls ctx/conf > listing\n`,
        'conf/a': 'original\n',
      });
      const o = lab.options(ctx);
      o.push = false;
      o.ociLayoutPath = path.join(lab.tmp, 'rw-oci');
      const { error } = await buildLogged(o);
      expect(error).toBeUndefined();
      expect(await fs.readFile(path.join(ctx, 'conf/a'), 'utf8')).toBe('original\n');
      expect(await fs.readdir(path.join(ctx, 'conf'))).toEqual(['a']);
      const tars = (await allBytes(o.ociLayoutPath!)).map((f) => f.bytes.toString('latin1'));
      expect(tars.some((t) => t.includes('app/seen') && t.includes('original\n'))).toBe(true);
      expect(tars.some((t) => t.includes('app/after') && t.includes('original\n') && t.includes('a\n'))).toBe(
        true,
      );
      expect(tars.some((t) => t.includes('app/conf') || t.includes('app/ctx'))).toBe(false);
    });

    test('cache mounts persist in the cache directory between builds, and travel in an archive', async () => {
      const ctx = await lab.context({
        Dockerfile: `FROM ${lab.base}\nARG N\nRUN --mount=type=cache,target=/var/cache/app,sharing=locked echo "build $N" >> /var/cache/app/log && cp /var/cache/app/log /seen\n`,
      });
      const o = lab.options(ctx);
      o.push = false;
      o.cacheMounts = { dir: path.join(lab.tmp, 'mounts-a'), archive: path.join(lab.tmp, 'mounts.tgz') };
      const seen = async (opts: BuildOptions, n: string) => {
        opts.buildArgs = new Map([['N', n]]);
        opts.ociLayoutPath = path.join(lab.tmp, `persist-${n}`);
        const { error } = await buildLogged(opts);
        expect(error).toBeUndefined();
        const tars = await allBytes(opts.ociLayoutPath);
        // The layers only (the config holds the RUN's text, not what it wrote).
        return tars
          .map((t) => t.bytes.toString('latin1'))
          .filter((t) => !t.startsWith('{'))
          .join('\n');
      };
      expect(await seen(o, '1')).toContain('build 1\n');
      expect(await seen(o, '2')).toContain('build 1\nbuild 2\n');
      // Another machine: an empty directory, the archive from the first.
      const other = {
        ...o,
        cacheMounts: { dir: path.join(lab.tmp, 'mounts-b'), archive: o.cacheMounts.archive },
      };
      expect(await seen(other, '3')).toContain('build 1\nbuild 2\nbuild 3\n');
      // Without a directory the cache lives for one build only.
      const once = { ...o, cacheMounts: {} };
      const t = await seen(once, '4');
      expect(t).toContain('build 4\n');
      expect(t).not.toContain('build 1\n');
    });

    test('--security=insecure needs --allow security.insecure', async () => {
      const ctx = await lab.context({
        Dockerfile: `FROM ${lab.base}\nRUN --security=insecure grep CapBnd /proc/self/status\n`,
      });
      const o = lab.options(ctx);
      o.push = false;
      const refused = await buildLogged(o);
      expect(refused.error?.message).toContain(
        ':2: RUN --security=insecure needs the security.insecure entitlement: pass --allow security.insecure',
      );
      expect(refused.log).not.toContain('pulling');
      o.allow = ['security.insecure'];
      const { error, log } = await buildLogged(o);
      expect(error).toBeUndefined();
      expect(log).toMatch(/CapBnd:\s+000001ff/);
    });

    test("RUN --network=host needs --allow network.host or the build's --network host", async () => {
      const ctx = await lab.context({
        Dockerfile: `FROM ${lab.base}\nRUN --network=host grep CapBnd /proc/self/status\n`,
      });
      const o = lab.options(ctx);
      o.push = false;
      const refused = await buildLogged(o);
      expect(refused.error?.message).toContain(
        ':2: RUN --network=host needs the network.host entitlement: pass --allow network.host',
      );
      expect(refused.log).not.toContain('pulling');
      for (const grant of [{ allow: ['network.host' as const] }, { network: 'host' as const }]) {
        const { error, log } = await buildLogged({ ...o, ...grant });
        expect(error).toBeUndefined();
        // On the host's network the RUN keeps CAP_NET_RAW (bit 13).
        expect(log).toMatch(/CapBnd:\s+00000000a80425fb/);
      }
    });
  },
);

describeWith(
  {
    root: true,
    binaries: [
      'busybox',
      'tar',
      'docker-registry',
      'unshare',
      'setpriv',
      'ssh-agent',
      'ssh-add',
      'ssh-keygen',
      'ldd',
    ],
  },
  'RUN --mount=type=ssh with a real ssh-agent',
  () => {
    const lab = useBuildLab({ prefix: 'kiln-ssh-e2e-' });

    /** ssh-add and every library it loads, to run it in the busybox image through its loader. */
    async function sshAddTools(dir: string): Promise<string> {
      await fs.mkdir(dir, { recursive: true });
      const bin = execFileSync('sh', ['-c', 'command -v ssh-add'], { encoding: 'utf8' }).trim();
      let loader = '';
      for (const line of execFileSync('ldd', [bin], { encoding: 'utf8' }).split('\n')) {
        const m = /(\/\S+) \(0x/.exec(line);
        if (!m) continue;
        await fs.copyFile(m[1]!, path.join(dir, path.basename(m[1]!)));
        if (/ld-linux/.test(m[1]!)) loader = path.basename(m[1]!);
      }
      await fs.copyFile(bin, path.join(dir, 'ssh-add'));
      return loader;
    }

    test("ssh-add -l lists the agent's key inside a RUN; adding or deleting keys is refused", async () => {
      const keyDir = path.join(lab.tmp, 'keys');
      await fs.mkdir(keyDir);
      const key = path.join(keyDir, 'id_ed25519');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kiln-e2e-key', '-f', key]);
      const sock = path.join(lab.tmp, 'agent.sock');
      const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
      try {
        for (let i = 0; i < 100; i++) {
          if (await fs.stat(sock).catch(() => undefined)) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
        const ctx = await lab.context({});
        const loader = await sshAddTools(path.join(ctx, 'tools'));
        const add = `/tools/${loader} --library-path /tools /tools/ssh-add`;
        await fs.writeFile(
          path.join(ctx, 'Dockerfile'),
          `FROM ${lab.base}
RUN --mount=type=bind,source=tools,target=/tools --mount=type=ssh echo "sock=$SSH_AUTH_SOCK"; ls -l "$SSH_AUTH_SOCK" | cut -c1-10; ${add} -l; ${add} -D && echo deleted || echo delete-refused
RUN --mount=type=bind,source=tools,target=/tools --mount=type=ssh,id=keys,target=/agent,mode=0666 SSH_AUTH_SOCK=/agent ${add} -l
`,
        );
        const o = lab.options(ctx);
        o.push = false;
        o.ssh = [
          { id: 'default', paths: [sock] },
          { id: 'keys', paths: [key] },
        ];
        const { error, log } = await buildLogged(o);
        expect(error).toBeUndefined();
        expect(log).toContain('sock=/run/buildkit/ssh_agent.0');
        expect(log).toContain('srw-------');
        expect(log.match(/ED25519/g)?.length).toBe(2);
        expect(log).toContain('kiln-e2e-key');
        expect(log).toContain('delete-refused');
        // The agent still has its key.
        expect(
          execFileSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' }),
        ).toContain('kiln-e2e-key');
      } finally {
        agent.kill();
      }
    });
  },
);
