/**
 * Before anything is pulled: every stage that will RUN for a platform this
 * machine cannot execute natively needs a binfmt_misc handler (QEMU's
 * user-mode emulator) registered with the F flag. Stages without RUN need
 * none (COPY, ADD and config edits never execute the image's binaries).
 * When one is missing, the error says what to do, on GitHub and elsewhere.
 */
import type { PlannedStage } from '../dockerfile/stages.js';
import { BINFMT_MISC, findHandler } from '../emulation/binfmt.js';
import { qemuName, runsNatively } from '../emulation/elf-machine.js';
import type { Platform } from '../image/manifest.js';
import { formatPlatform } from '../image/platform.js';
import type { Logger } from '../log.js';

export class EmulationError extends Error {
  override name = 'EmulationError';
}

/** A stage of one target, on the platform it runs on. */
export interface PlatformStage {
  planned: PlannedStage;
  platform: Platform;
}

/** Whether the stage runs a RUN (its own, or an ONBUILD trigger's). */
function runs(planned: PlannedStage): boolean {
  return [...planned.onbuild, ...planned.stage.instructions].some((i) => i.kind === 'run');
}

/** Foreign platforms whose stages RUN, with those stages' names (for the message). */
export function platformsToEmulate(stages: readonly PlatformStage[], host: Platform): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { planned, platform } of stages) {
    if (runsNatively(platform, host) || !runs(planned)) continue;
    const key = formatPlatform(platform);
    const names = out.get(key) ?? [];
    const name = planned.name ?? `stage ${planned.index}`;
    if (!names.includes(name)) names.push(name);
    out.set(key, names);
  }
  return out;
}

/** What to do when no usable handler is registered for `platform`. */
export function emulationHint(platform: string): string {
  const arch = platform.split('/')[1] ?? platform;
  return [
    `On GitHub Actions: add \`- uses: docker/setup-qemu-action@v3\` before Kiln's step, or set \`setup_qemu: true\` on it (registers Debian/Ubuntu's qemu-user-static handlers through sudo).`,
    `Elsewhere: register QEMU's handlers with the F flag on this machine (on Kubernetes, on the node): \`sudo apt-get install qemu-user-static\` on Debian/Ubuntu, or \`docker run --privileged --rm tonistiigi/binfmt --install ${arch}\`.`,
    `Or build ${platform} on a machine of that architecture (--platform ${platform} --push-by-digest) and merge with \`kiln index create\`.`,
  ].join('\n');
}

/**
 * Throws an EmulationError naming each platform (and its RUN stages) that
 * has no usable handler; logs the handler each emulated platform gets.
 */
export async function checkEmulation(
  stages: readonly PlatformStage[],
  host: Platform,
  log: Logger,
  binfmtDir = BINFMT_MISC,
): Promise<void> {
  const problems: string[] = [];
  for (const [platform, names] of platformsToEmulate(stages, host)) {
    const wanted = stages.find((s) => formatPlatform(s.platform) === platform)!.platform;
    const found = await findHandler(wanted, binfmtDir);
    if (found.kind === 'found') {
      log.debug(
        `RUN for ${platform}: emulated by ${found.handler.interpreter} (${binfmtDir}/${found.handler.name})`,
      );
      continue;
    }
    const qemu = qemuName(wanted);
    problems.push(
      `RUN for ${platform} (in ${names.join(', ')}) needs an emulator${qemu ? ` (QEMU's qemu-${qemu})` : ''} on this ${formatPlatform(host)} machine, and none can be used: ${found.why}.\n${emulationHint(platform)}`,
    );
  }
  if (problems.length > 0) throw new EmulationError(problems.join('\n'));
}
