/**
 * `setup_qemu: true`: before the build, every target platform this runner
 * cannot run natively gets QEMU's emulator registered with binfmt_misc (F
 * flag), through sudo on GitHub's runners (Debian/Ubuntu's qemu-user-static,
 * installed when missing; src/emulation/register-script.ts). Platforms whose
 * handler is already there (docker/setup-qemu-action ran) are left alone.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BINFMT_MISC, findHandler } from '../emulation/binfmt.js';
import { qemuName, runsNatively } from '../emulation/elf-machine.js';
import { registerScript } from '../emulation/register-script.js';
import { HOST_PATH } from '../executable.js';
import type { Platform } from '../image/manifest.js';
import { formatPlatform, hostPlatform, parsePlatform } from '../image/platform.js';
import type { Logger } from '../log.js';

const execFileP = promisify(execFile);

export interface QemuSetupDeps {
  log: Logger;
  /** Runs a shell script as root (sudo -n when not root); rejects with its output. */
  asRoot: (script: string) => Promise<string>;
  binfmtDir?: string;
  host?: Platform;
}

/** The foreign platforms among `platforms` that have no usable handler yet. */
async function unserved(platforms: readonly Platform[], deps: QemuSetupDeps): Promise<Platform[]> {
  const host = deps.host ?? hostPlatform();
  const out: Platform[] = [];
  for (const p of platforms) {
    if (runsNatively(p, host)) continue;
    if ((await findHandler(p, deps.binfmtDir ?? BINFMT_MISC)).kind !== 'found') out.push(p);
  }
  return out;
}

/** Registers what is missing; throws when a platform still has no usable handler after. */
export async function setupQemu(platformTexts: readonly string[], deps: QemuSetupDeps): Promise<void> {
  const platforms = platformTexts.map((t) => parsePlatform(t));
  const missing = await unserved(platforms, deps);
  if (missing.length === 0) {
    deps.log.info('setup_qemu: every platform runs natively or has its emulator registered');
    return;
  }
  const cpus = missing.map((p) => {
    const cpu = qemuName(p);
    if (!cpu)
      throw new Error(`setup_qemu: QEMU has no user-mode emulator Kiln knows for ${formatPlatform(p)}`);
    return cpu;
  });
  deps.log.info(
    `setup_qemu: registering ${cpus.map((c) => `qemu-${c}`).join(', ')} (qemu-user-static, as root)`,
  );
  const out = await deps.asRoot(registerScript([...new Set(cpus)], { dir: deps.binfmtDir ?? BINFMT_MISC }));
  for (const line of out.trim().split('\n').filter(Boolean)) deps.log.info(`  ${line}`);
  const still = await unserved(platforms, deps);
  if (still.length > 0) {
    throw new Error(
      `setup_qemu: no usable emulator for ${still.map(formatPlatform).join(', ')} after registering; add \`- uses: docker/setup-qemu-action@v3\` before this step instead`,
    );
  }
}

/** Runs a script as root: directly when root, else with `sudo -n`. */
export async function runAsRoot(script: string): Promise<string> {
  const argv =
    process.geteuid?.() === 0 ? ['sh', ['-c', script]] : ['sudo', ['-n', '--', 'sh', '-c', script]];
  try {
    const { stdout, stderr } = await execFileP(argv[0] as string, argv[1] as string[], {
      env: { PATH: HOST_PATH, LC_ALL: 'C' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
    return `${stdout}${stderr}`;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(
      `setup_qemu: registering the emulators as root failed: ${(err.stderr || err.stdout || err.message).trim()}; without passwordless sudo, use docker/setup-qemu-action`,
    );
  }
}
