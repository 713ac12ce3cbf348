import { describe, expect, test } from '@jest/globals';
import { codeSpan, renderSummary } from '../../src/action/summary.js';
import { KEPT, refs, result, unchangedResult } from './fixtures.js';

describe('job summary', () => {
  test('a pushed build: status, table of steps, digest, references, docker pull', () => {
    const md = renderSummary({ result: result(), references: refs, push: true });
    expect(md).toBe(
      [
        '## Kiln: image built and pushed',
        '',
        '3 layers, 12.3 MB · cache 1/2 hits · 1m 05s total',
        '',
        '| Stage | Step | Instruction | Cache | Time | Layer |',
        '| --- | ---: | --- | --- | ---: | ---: |',
        `| \`build\` | 1 | \`FROM golang:1.22@sha256:${'9'.repeat(64)}\` |  | 0.9s |  |`,
        '|  | 2 | `RUN go build ./...` | miss (no entry) | 1m 02s | 8.50 MB (not in the image) |',
        '| `stage-1` |  | `FROM scratch` |  | 0.0s |  |',
        '|  | 1 | `COPY --from=build /out/app /app` | hit | 0.1s | 4.00 MB |',
        '|  |  | `ENTRYPOINT ["/app"]` |  | 0.0s |  |',
        '',
        `**Digest:** \`sha256:${'a'.repeat(64)}\``,
        '',
        '**References:**',
        '',
        '- `ghcr.io/o/r/app:01234567`',
        '- `ghcr.io/o/r/app:latest`',
        '',
        '```sh',
        'docker pull ghcr.io/o/r/app:01234567',
        '```',
        '',
      ].join('\n'),
    );
  });

  test('an index: every platform with its digest; steps with their platform', () => {
    const d = (c: string) => `sha256:${c.repeat(64)}`;
    const md = renderSummary({
      result: result({
        configDigest: undefined,
        layers: 4,
        platforms: [
          { platform: 'linux/amd64', digest: d('1'), configDigest: d('3'), size: 2048, layers: 2 },
          { platform: 'linux/arm64', digest: d('2'), configDigest: d('4'), size: 3072, layers: 2 },
        ],
        steps: [
          {
            stage: 'build',
            step: 1,
            instruction: 'RUN make',
            durationMs: 10,
            cache: 'miss',
            platform: 'linux/amd64',
          },
          {
            stage: '1',
            step: 1,
            instruction: 'COPY --from=build /a /a',
            durationMs: 5,
            cache: 'miss',
            platform: 'linux/amd64',
          },
          {
            stage: '1',
            step: 1,
            instruction: 'COPY --from=build /a /a',
            durationMs: 5,
            cache: 'miss',
            platform: 'linux/arm64',
          },
        ],
      }),
      references: refs,
      push: true,
    });
    expect(md).toContain('## Kiln: index of 2 platforms built and pushed');
    expect(md).toContain('| Platform | Digest | Layers | Size |');
    expect(md).toContain(`| \`linux/arm64\` | \`${d('2')}\` | 2 | 3.07 kB |`);
    expect(md).toContain('| Platform | Stage | Step | Instruction | Cache | Time | Layer |');
    expect(md).toContain('| `linux/arm64` | `1` | 1 | `COPY --from=build /a /a` |');
  });

  test('pushed by digest, and merged', () => {
    expect(renderSummary({ result: result(), references: refs, push: true, mode: 'by-digest' })).toContain(
      '## Kiln: image built and pushed by digest (untagged)',
    );
    expect(
      renderSummary({ result: result({ steps: [] }), references: refs, push: true, mode: 'merge' }),
    ).toContain('merged and pushed');
  });

  test('not pushed: no docker pull line', () => {
    const md = renderSummary({ result: result({ references: [] }), references: refs, push: false });
    expect(md).toMatch(/^## Kiln: image built \(not pushed\)/);
    expect(md).not.toMatch(/docker pull/);
  });

  test('unchanged image: says nothing was pushed, and names what stands in the registry', () => {
    const kept = KEPT;
    const md = renderSummary({
      result: unchangedResult(),
      references: refs,
      push: true,
    });
    expect(md).toMatch(/^## Kiln: image unchanged, not pushed again/);
    expect(md).toContain(`\`${refs[1]}\` has the same layers and config`);
    expect(md).toContain(`**Digest:** \`${kept.digest}\` (this run built`);
    expect(md).toContain(`docker pull ${refs[1]}`);
    expect(md).not.toContain(refs[0]);
  });

  test('no cacheable steps: no cache figure; one layer is singular', () => {
    const md = renderSummary({
      result: result({ steps: [], layers: 1, size: 999, cacheHits: 0 }),
      references: refs,
      push: true,
    });
    expect(md).toMatch(/^1 layer, 999 B · 1m 05s total$/m);
    expect(md).not.toMatch(/\| Stage/);
  });

  test('Dockerfile text cannot break the table or inject markup', () => {
    const md = renderSummary({
      result: result({
        steps: [
          {
            stage: 'a|b',
            step: 1,
            instruction: 'RUN echo "`x`" | tr a b && echo <script>\nnext',
            durationMs: 5,
            cache: 'miss',
            cacheMissReason: 'x|y',
          },
          { stage: 'a|b', step: 2, instruction: `RUN ${'y'.repeat(300)}`, durationMs: 5, cache: 'off' },
        ],
      }),
      references: refs,
      push: true,
    });
    const rows = md
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Stage') && !l.startsWith('| ---'));
    for (const row of rows) {
      // Six cells: seven unescaped pipes.
      expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(8);
    }
    expect(rows[0]).toContain('``RUN echo "`x`" \\| tr a b && echo <script> next``');
    expect(rows[0]).toContain('miss (x/y)');
    expect(rows[1]).toContain('…');
    expect(rows[1]!.length).toBeLessThan(200);
  });

  test.each([
    ['plain', '`plain`'],
    ['a`b', '``a`b``'],
    ['`edge`', '`` `edge` ``'],
    ['x ``` y', '````x ``` y````'],
    ['a|b', '`a\\|b`'],
  ])('codeSpan(%j)', (text, span) => {
    expect(codeSpan(text)).toBe(span);
  });
});
