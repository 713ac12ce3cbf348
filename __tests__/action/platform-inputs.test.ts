/** The multi-platform inputs: platforms, push_by_digest, merge_digests, setup_qemu. */
import { describe, expect, test } from '@jest/globals';
import { mergeSources } from '../../src/action/merge-mode.js';
import { plan } from './helpers.js';

describe('platforms, push_by_digest, merge_digests', () => {
  test('platforms: comma or newline list, in order, repeats once; push_by_digest', () => {
    const { options, inputs } = plan({
      image: 'app',
      platforms: 'linux/amd64, linux/arm64\nlinux/arm/v7\nlinux/amd64',
      push_by_digest: 'true',
    });
    expect(options.platforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    expect(options.pushByDigest).toBe(true);
    expect(inputs.setupQemu).toBe(false);
    expect(plan({ image: 'app' }).options.platforms).toEqual([]);
  });

  test.each<[Record<string, string>, RegExp]>([
    [{ image: 'app', platforms: 'linux/amd64,linux/' }, /input "platforms": invalid platform "linux\/"/],
    [{ image: 'app', push_by_digest: 'true', push: 'false' }, /input "push_by_digest": .*push: false/],
    [
      { image: 'app', merge_digests: `sha256:${'a'.repeat(64)}`, push: 'false' },
      /input "merge_digests": .*push: false/,
    ],
    [
      { image: 'app', merge_digests: `sha256:${'a'.repeat(64)}`, platforms: 'linux/arm64' },
      /input "platforms": has no effect with merge_digests/,
    ],
    [{ image: 'app', setup_qemu: 'maybe' }, /input "setup_qemu": "maybe" is not a boolean/],
  ])('%j is refused', (given, message) => {
    expect(() => plan(given)).toThrow(message);
  });

  test('merge sources: a bare digest is in the first reference’s repository; references as written', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    const { inputs, action } = plan({ image: 'app', merge_digests: `${a}\nghcr.io/o/other@${b}\n` });
    expect(inputs.mergeDigests).toHaveLength(2);
    expect(mergeSources(inputs.mergeDigests, action.references).map(String)).toEqual([
      `ghcr.io/aevea/action-kaniko/app@${a}`,
      `ghcr.io/o/other@${b}`,
    ]);
    expect(() => mergeSources([a], [])).toThrow(/bare digest but no image or tags name its repository/);
    expect(() => mergeSources(['Not A Ref'], action.references)).toThrow(
      /input "merge_digests": "Not A Ref"/,
    );
  });
});
