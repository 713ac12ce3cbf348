/** Config edits are pure: an expanded instruction and the stage state in, a new image out. */
import { describe, expect, test } from '@jest/globals';
import { parseDockerfile } from '../../../src/dockerfile/dockerfile.js';
import { expandInstruction } from '../../../src/dockerfile/expand.js';
import { StageScope } from '../../../src/dockerfile/scope.js';
import {
  applyConfigInstruction,
  isConfigInstruction,
  type StageConfigState,
} from '../../../src/executor/stage/config-edits.js';
import { emptyImage, type Image } from '../../../src/image/image.js';

/** Applies the instructions of a one-stage Dockerfile (after FROM) to `base`. */
function apply(lines: string[], base: Image = emptyImage({ os: 'linux', architecture: 'amd64' })): Image {
  const df = parseDockerfile(['FROM scratch', ...lines].join('\n'), 'Dockerfile');
  const scope = StageScope.forImage({
    baseEnv: base.config.config.Env ?? [],
    buildArgs: new Map([['V', 'from-cli']]),
    globalArgs: new Map(),
    escapeToken: df.escapeToken,
  });
  const state: StageConfigState = { scope, cmdSet: false, created: '2024-01-01T00:00:00Z' };
  let image = base;
  for (const instr of df.stages[0]!.instructions) {
    const x = expandInstruction(instr, scope);
    if (!isConfigInstruction(x)) throw new Error(`not a config instruction: ${x.kind}`);
    image = applyConfigInstruction(image, x, state);
  }
  return image;
}

describe('applyConfigInstruction', () => {
  test('the input image is never changed', () => {
    const base = emptyImage({ os: 'linux', architecture: 'amd64' });
    const before = base.digest();
    apply(['ENV A=1', 'LABEL x=y'], base);
    expect(base.digest()).toBe(before);
  });

  test('ENTRYPOINT resets a CMD inherited from the base, not one set in this stage', () => {
    const base = apply(['CMD ["base-cmd"]']);
    expect(apply(['ENTRYPOINT ["/e"]'], base).config.config.Cmd).toBeNull();
    expect(apply(['CMD ["mine"]', 'ENTRYPOINT ["/e"]'], base).config.config.Cmd).toEqual(['mine']);
  });

  test('SHELL changes how later shell-form commands are stored', () => {
    const img = apply(['SHELL ["/bin/bash", "-eo", "pipefail", "-c"]', 'CMD echo hi']);
    expect(img.config.config.Cmd).toEqual(['/bin/bash', '-eo', 'pipefail', '-c', 'echo hi']);
    expect(img.config.history?.at(-1)?.created_by).toBe('CMD ["/bin/bash" "-eo" "pipefail" "-c" "echo hi"]');
  });

  test('ARG takes the build arg and ENV expands it; history says what was set', () => {
    const img = apply(['ARG V=default', 'ENV GOT=$V']);
    expect(img.config.config.Env).toContain('GOT=from-cli');
    expect(img.config.history?.map((h) => h.created_by)).toEqual(['ARG V=from-cli', 'ENV GOT=from-cli']);
    expect(img.config.history?.every((h) => h.empty_layer)).toBe(true);
  });

  test('ONBUILD, VOLUME, STOPSIGNAL, HEALTHCHECK and MAINTAINER land where Docker puts them', () => {
    const img = apply([
      'ONBUILD RUN echo later',
      'VOLUME /data',
      'STOPSIGNAL SIGTERM',
      'HEALTHCHECK --interval=5s CMD ["true"]',
      'MAINTAINER someone',
    ]);
    const c = img.config;
    expect(c.config.OnBuild).toEqual(['RUN echo later']);
    expect(c.config.Volumes).toEqual({ '/data': {} });
    expect(c.config.StopSignal).toBe('SIGTERM');
    expect(c.config.Healthcheck?.Test).toEqual(['CMD', 'true']);
    expect(c.config.Healthcheck?.Interval).toBe(5_000_000_000);
    expect(c.author).toBe('someone');
  });
});
