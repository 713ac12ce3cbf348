/**
 * The RUN sandbox a build chose, remembered beside the snapshot store: the
 * next build on this machine skips finding the host tools (ldd on four
 * binaries) and the probe run (a whole sandbox set up around an empty root),
 * ~0.2-0.4 s of which the edit-rebuild loop waited for part. The memo holds
 * only while everything the choice depended on is the same: the request,
 * the user, its capabilities, the kernel and its boot, and every host tool
 * file (path, size, mtime). A sandbox from the memo that fails to set up
 * forgets it, so the build after probes again.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { IsolationRequest } from '../options.js';
import { currentBoot } from '../store/layout.js';
import { findBinary, type HostTools } from './host-tools.js';
import { NamespaceSandbox } from './namespace.js';
import { type IsolationKind, type RunResult, type RunSpec, type Sandbox, SandboxError } from './sandbox.js';

interface Memo {
  key: string;
  kind: IsolationKind;
  tools: HostTools;
}

async function capabilities(): Promise<string> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  return /^CapEff:\s*(\S+)/m.exec(status)?.[1] ?? '?';
}

/**
 * Changes whenever HostTools changes shape or meaning (a memo of an older
 * Kiln must not be recalled: it would lack, say, the seccomp filter).
 */
const MEMO_FORMAT = 'kiln sandbox memo 2 (slirp4netns, seccomp, util-linux mount)';

/**
 * What the choice depended on: tool files included, and whether the optional
 * tools are on the PATH now (one installed since, e.g. slirp4netns, is probed for).
 */
async function keyOf(requested: IsolationRequest, tools: HostTools): Promise<string> {
  const optional = `slirp4netns: ${(await findBinary('slirp4netns')) ?? 'none'}`;
  const files = [
    ...Object.values(tools).filter((v): v is string => typeof v === 'string'),
    ...tools.jailFiles.map((f) => f.source),
  ];
  const stamps = await Promise.all(
    files.map(async (f) => {
      const st = await stat(f).catch(() => undefined);
      return `${f}:${st?.size ?? '-'}:${st?.mtimeMs ?? '-'}`;
    }),
  );
  const who = `${process.geteuid?.()}:${process.getegid?.()}`;
  return [
    MEMO_FORMAT,
    requested,
    who,
    await capabilities(),
    release(),
    currentBoot(),
    optional,
    ...stamps.sort(),
  ].join('\n');
}

export class SandboxMemo {
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly requested: IsolationRequest,
  ) {
    this.file = join(dir, `sandbox-${requested}.json`);
  }

  /** The remembered sandbox, when nothing it depended on changed. */
  async recall(scratchDir: string, log: Logger): Promise<Sandbox | undefined> {
    // It names programs Kiln runs (as root): only a file of this user that nobody else may write.
    const st = await stat(this.file).catch(() => undefined);
    if (!st || st.uid !== process.geteuid?.() || (st.mode & 0o022) !== 0) return undefined;
    let memo: Memo;
    try {
      memo = JSON.parse(await readFile(this.file, 'utf8')) as Memo;
    } catch {
      return undefined;
    }
    if (!memo.tools || memo.key !== (await keyOf(this.requested, memo.tools))) return undefined;
    const inner = new NamespaceSandbox(memo.kind, memo.tools, { scratchDir, log });
    return {
      kind: memo.kind,
      run: async (spec: RunSpec): Promise<RunResult> => {
        try {
          return await inner.run(spec);
        } catch (e) {
          if (e instanceof SandboxError) await this.forget();
          throw e;
        }
      },
    };
  }

  /** Remembers a sandbox that passed its probe. Never rejects. */
  async remember(sandbox: Sandbox): Promise<void> {
    if (!(sandbox instanceof NamespaceSandbox)) return;
    const memo: Memo = {
      key: await keyOf(this.requested, sandbox.tools),
      kind: sandbox.kind,
      tools: sandbox.tools,
    };
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
      .then(() => writeFile(this.file, JSON.stringify(memo)))
      .catch(() => undefined);
  }

  async forget(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
