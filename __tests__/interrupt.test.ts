/** Signal handling without sending real signals (process.emit), and owner stamps. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { InterruptedError, Interrupts, ownerAlive, ownerStamp } from '../src/interrupt.js';

let installed: Interrupts | undefined;
afterEach(() => installed?.uninstall());

describe('Interrupts', () => {
  test('the first signal aborts with the exit code; the second runs the exit cleanups (last first) and exits', () => {
    const exits: number[] = [];
    const notes: string[] = [];
    const i = Interrupts.install({ notify: (m) => notes.push(m), exit: (c) => exits.push(c) });
    installed = i;
    const order: string[] = [];
    i.onExit(() => order.push('workspace'));
    const remove = i.onExit(() => order.push('never'));
    i.onExit(() => order.push('outputs'));
    remove();
    expect(i.exitCode()).toBeUndefined();
    process.emit('SIGINT');
    expect(i.signal.aborted).toBe(true);
    expect(i.signal.reason).toBeInstanceOf(InterruptedError);
    expect(i.exitCode()).toBe(130);
    expect(exits).toEqual([]);
    process.emit('SIGTERM');
    expect(order).toEqual(['outputs', 'workspace']);
    expect(exits).toEqual([143]);
    expect(notes).toHaveLength(2);
  });

  test('exitInterrupted runs what is left once', () => {
    const exits: number[] = [];
    const i = Interrupts.install({ notify: () => undefined, exit: (c) => exits.push(c) });
    installed = i;
    let runs = 0;
    i.onExit(() => runs++);
    process.emit('SIGTERM');
    i.exitInterrupted();
    i.exitInterrupted();
    expect(runs).toBe(1);
    expect(exits).toEqual([143, 143]);
  });
});

describe('owner stamps', () => {
  test('this process is alive; a gone pid or a reused one (other start time) is not', () => {
    expect(ownerAlive(ownerStamp())).toBe(true);
    expect(ownerAlive('4194305 1')).toBe(false);
    expect(ownerAlive(`${process.pid} 1`)).toBe(false);
    expect(ownerAlive('garbage')).toBe(false);
  });
});
