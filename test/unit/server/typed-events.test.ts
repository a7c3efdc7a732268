// A listener that throws (or rejects) is reported and contained: the other listeners still run, the
// emitter returns normally, and nothing is rethrown where no one catches it (issue 17: one faulty
// listener used to stop the daemon through a rethrow in a microtask).
import { afterEach, describe, expect, it } from 'vitest';
import { listenerFaultCount, onListenerFault, TypedEvents, type ListenerFault } from '../../../drivers/typed-events.ts';

let off: (() => void) | null = null;
afterEach(() => off?.());

describe('TypedEvents containment', () => {
  it('a throwing listener is reported with names only, and later listeners still run', async () => {
    const faults: ListenerFault[] = [];
    off = onListenerFault((f) => faults.push(f));
    const ev = new TypedEvents<{ tick: number }>();
    const seen: number[] = [];
    ev.on(
      'tick',
      () => {
        throw Object.assign(new TypeError('secret 1234 in a message'), { code: 'E_X' });
      },
      'faulty',
    );
    ev.on('tick', (n) => seen.push(n));
    const before = listenerFaultCount();
    expect(() => ev.emit('tick', 7)).not.toThrow();
    await new Promise((r) => setTimeout(r, 10)); // a microtask rethrow would surface here as an unhandled error
    expect(seen).toEqual([7]);
    expect(faults).toEqual([{ event: 'tick', owner: 'faulty', errorName: 'TypeError', errorCode: 'E_X' }]);
    expect(JSON.stringify(faults)).not.toContain('1234');
    expect(listenerFaultCount()).toBe(before + 1);
  });

  it('an async listener that rejects is reported the same way', async () => {
    const faults: ListenerFault[] = [];
    off = onListenerFault((f) => faults.push(f));
    const ev = new TypedEvents<{ tick: number }>();
    ev.on('tick', async () => {
      throw new RangeError('later');
    });
    ev.emit('tick', 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(faults.map((f) => [f.event, f.owner, f.errorName])).toEqual([['tick', null, 'RangeError']]);
  });

  it('a throwing reporter does not escape either; a non-Error throw is described by its type', () => {
    const faults: ListenerFault[] = [];
    const off1 = onListenerFault(() => {
      throw new Error('reporter broken');
    });
    off = onListenerFault((f) => faults.push(f));
    const ev = new TypedEvents<{ x: null }>();
    ev.on('x', () => {
      throw 'a string';
    });
    expect(() => ev.emit('x', null)).not.toThrow();
    off1();
    expect(faults[0]!.errorName).toBe('string');
  });
});
