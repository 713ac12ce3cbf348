import { describe, expect, test } from '@jest/globals';
import { renderFailureSummary } from '../../src/action/failure-summary.js';

describe('failure summary', () => {
  test('a failed RUN: the step, its Dockerfile lines, its last output, the cause', () => {
    const error = Object.assign(new Error('x'), { file: 'app/Dockerfile', line: 3, endLine: 4 });
    const md = renderFailureSummary({
      error,
      message:
        'app/Dockerfile:3: RUN make exited with code 2\nlast output:\n  cc: error ```\n  make: *** [all] Error 1',
      readFile: (f) => (f === 'app/Dockerfile' ? 'FROM x\nCOPY . .\nRUN make \\\n  all\nCMD y\n' : undefined),
      durationMs: 12_300,
    });
    expect(md).toBe(
      [
        '## Kiln: build failed',
        '',
        '**Failed step:** `app/Dockerfile:3`',
        '',
        '```dockerfile',
        'RUN make \\',
        '  all',
        '```',
        '',
        '**Last output:**',
        '',
        '````',
        'cc: error ```',
        'make: *** [all] Error 1',
        '````',
        '',
        '**Cause:**',
        '',
        '```',
        'app/Dockerfile:3: RUN make exited with code 2',
        '```',
        '',
        'Failed after 12.3 s.',
        '',
      ].join('\n'),
    );
  });

  test('an error with no step: the cause only', () => {
    const md = renderFailureSummary({
      error: new Error('input "push": "maybe" is not a boolean'),
      message: 'input "push": "maybe" is not a boolean',
      readFile: () => undefined,
      durationMs: 5,
    });
    expect(md).not.toMatch(/Failed step|Last output/);
    expect(md).toContain('input "push": "maybe" is not a boolean');
  });
});
