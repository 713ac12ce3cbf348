import { describe, expect, test } from '@jest/globals';
import { ttyLogger } from '../../src/cli/tty-logger.js';

describe('terminal view', () => {
  test('work in progress stays at the bottom; log lines scroll above it; close erases it', () => {
    let out = '';
    let t = 1000;
    const log = ttyLogger({ write: (s) => (out += s), columns: () => 60, now: () => t });
    log.progress?.('s1', '[build 1/2] RUN make');
    expect(out).toContain(' => [build 1/2] RUN make 0.0s');
    out = '';
    t = 3500;
    log.info('compiling…');
    // The status block is erased (cursor up, clear), the line printed, the block redrawn.
    expect(out).toMatch(/\x1b\[1A[\s\S]*compiling…\n[\s\S]* => \[build 1\/2\] RUN make 2\.5s\n$/);
    out = '';
    log.progress?.('s1', undefined);
    expect(out).not.toContain('RUN make');
    log.progress?.('p', 'x'.repeat(200));
    expect(out.split('\n').every((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').length <= 60)).toBe(true);
    out = '';
    log.close();
    expect(out).toMatch(/\x1b\[1A/);
  });

  test('secrets are masked in terminal lines too', () => {
    let out = '';
    const log = ttyLogger({ write: (s) => (out += s), columns: () => 80 });
    log.secret('hunter2');
    log.info('token hunter2 used');
    log.close();
    expect(out).toContain('token *** used');
    expect(out).not.toContain('hunter2');
  });
});
