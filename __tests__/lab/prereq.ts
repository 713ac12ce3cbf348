/**
 * Prerequisites of e2e tests (binaries, root). Locally a missing one skips
 * the suite with a printed reason; under CI=true the suite fails and says
 * what is missing: a test never skips itself silently in CI.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from '@jest/globals';
import { BINFMT_MISC, handlerMatches, parseHandler } from '../../src/emulation/binfmt.js';
import { elfHeaders } from '../../src/emulation/elf-machine.js';
import { parsePlatform } from '../../src/image/platform.js';

export function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Whether an unprivileged user (`as`, default nobody; needs root to switch)
 * can create a user namespace with a mount namespace, as rootless RUN does.
 * Without root: whether this process can.
 */
export function hasUnprivilegedUserns(as = '65534'): boolean {
  const unshare = ['unshare', '--user', '--map-root-user', '--mount', 'true'];
  const argv = isRoot()
    ? ['setpriv', `--reuid=${as}`, `--regid=${as}`, '--clear-groups', '--', ...unshare]
    : unshare;
  try {
    execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether binfmt_misc has an enabled handler with the F flag for the
 * platform's executables (QEMU's user-mode emulator), as an emulated RUN
 * needs.
 */
export function canEmulate(platform: string): boolean {
  const headers = elfHeaders(parsePlatform(platform)) ?? [];
  let names: string[];
  try {
    names = readdirSync(BINFMT_MISC);
  } catch {
    return false;
  }
  return names.some((name) => {
    if (name === 'register' || name === 'status') return false;
    let text: string;
    try {
      text = readFileSync(join(BINFMT_MISC, name), 'utf8');
    } catch {
      return false;
    }
    const h = parseHandler(name, text);
    return !!h && h.enabled && h.flags.includes('F') && headers.some((b) => handlerMatches(h, b));
  });
}

export interface Prereqs {
  binaries?: string[];
  root?: boolean;
  /** Unprivileged user namespaces (rootless RUN). */
  userns?: boolean;
  /** Platforms whose RUN is emulated: a binfmt_misc handler with the F flag for each. */
  emulate?: string[];
}

/** What is missing, as readable phrases; empty when all is there. */
export function missingPrereqs(p: Prereqs): string[] {
  const missing = (p.binaries ?? []).filter((b) => !hasBinary(b)).map((b) => `binary "${b}" on PATH`);
  if (p.root && !isRoot()) missing.push('root (run the tests as root or under sudo)');
  if (p.userns && !hasUnprivilegedUserns()) {
    missing.push(
      'unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces>0)',
    );
  }
  for (const platform of p.emulate ?? []) {
    if (!canEmulate(platform)) {
      missing.push(
        `a binfmt_misc handler with the F flag for ${platform} (apt-get install qemu-user-static; .ci/run registers it)`,
      );
    }
  }
  return missing;
}

/**
 * describe() when the prerequisites are there. Otherwise: under CI=true a
 * failing test naming what is missing; locally a skipped suite and a note.
 */
export function describeWith(p: Prereqs, name: string, fn: () => void): void {
  const missing = missingPrereqs(p);
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const why = `missing prerequisites: ${missing.join(', ')}`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('prerequisites are installed', () => {
        throw new Error(`${why} (CI=true: install them, e.g. via .ci/run)`);
      });
    });
  } else {
    process.stderr.write(`[skip] ${name}: ${why}\n`);
    describe.skip(name, fn);
  }
}
