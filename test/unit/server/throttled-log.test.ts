// Lines a hostile client can trigger are throttled: at most N a second, and the next line says how many
// were left out.
import { describe, expect, it } from 'vitest';
import { throttledLog } from '../../../daemon/server/throttled-log.ts';

describe('throttledLog', () => {
  it('passes N lines a second and counts the rest', () => {
    let t = 0;
    const out: string[] = [];
    const log = throttledLog(
      (l) => out.push(l),
      2,
      () => t,
    );
    for (let i = 0; i < 10; i++) log(`x${i}`);
    expect(out).toEqual(['x0', 'x1']);
    t = 1000;
    log('y');
    expect(out).toEqual(['x0', 'x1', 'y (8 similar lines suppressed)']);
    log('z');
    expect(out.at(-1)).toBe('z');
  });
});
