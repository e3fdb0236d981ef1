import { describe, expect, it } from 'vitest';
import { SafeEmitter } from '../src/events/safe-emitter.js';
import type { Logger } from '../src/logger.js';

interface TestEvents {
  happened: (event: { n: number }) => void;
  other: () => void;
}

class Source extends SafeEmitter<TestEvents> {
  fire(n: number): boolean {
    return this.emitSafely('happened', { n });
  }
}

function recordingLogger(): Logger & { errors: Array<{ obj: object; msg: string | undefined }> } {
  const errors: Array<{ obj: object; msg: string | undefined }> = [];
  const noop = (): void => {};
  return { debug: noop, info: noop, warn: noop, error: (obj, msg) => errors.push({ obj, msg }), errors };
}

describe('SafeEmitter', () => {
  it('logs a throwing listener as { err, event } and still calls the others', () => {
    const log = recordingLogger();
    const s = new Source(log);
    const seen: number[] = [];
    const boom = new Error('listener bug');
    s.on('happened', () => {
      throw boom;
    });
    s.on('happened', (e) => seen.push(e.n));
    expect(() => s.fire(1)).not.toThrow();
    expect(seen).toEqual([1]);
    expect(log.errors).toEqual([{ obj: { err: boom, event: 'happened' }, msg: 'event listener threw' }]);
  });

  it('calls once listeners exactly once, even when a listener emits again', () => {
    const s = new Source();
    const calls: string[] = [];
    s.once('happened', (e) => {
      calls.push(`once ${e.n}`);
      if (e.n === 1) s.fire(2);
    });
    s.on('happened', (e) => calls.push(`on ${e.n}`));
    s.fire(1);
    s.fire(3);
    expect(calls).toEqual(['once 1', 'on 2', 'on 1', 'on 3']);
    expect(s.listenerCount('happened')).toBe(1);
  });

  it('calls listeners with the emitter as this, returns whether anyone listened, and is silent by default', () => {
    const s = new Source();
    expect(s.fire(1)).toBe(false);
    let self: unknown;
    s.on('happened', function (this: unknown) {
      self = this;
      throw new Error('ignored by the silent default logger');
    });
    expect(s.fire(2)).toBe(true);
    expect(self).toBe(s);
  });
});
