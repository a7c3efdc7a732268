// StartedResources: what a start registered is closed newest first, a closer that throws is logged and
// the others still run, and closing twice closes once.
import { describe, expect, it } from 'vitest';
import { StartedResources } from '../../../daemon/started-resources.ts';

describe('StartedResources', () => {
  it('closes newest first, past a failing closer, once', async () => {
    const order: string[] = [];
    const lines: string[] = [];
    const r = new StartedResources((l) => lines.push(l));
    r.add('db', () => void order.push('db'));
    r.add('listener', async () => {
      await Promise.resolve();
      order.push('listener');
    });
    r.add('device', () => {
      order.push('device');
      throw Object.assign(new Error('gone'), { code: 'EIO' });
    });
    r.add('timer', () => void order.push('timer'));
    expect(r.names()).toEqual(['db', 'listener', 'device', 'timer']);
    expect(await r.closeAll()).toEqual(['device']);
    expect(order).toEqual(['timer', 'device', 'listener', 'db']);
    expect(lines).toEqual(['error: closing device failed (Error EIO)']);
    expect(await r.closeAll()).toEqual(['device']);
    expect(order).toHaveLength(4);
  });

  it('refuses a resource registered after closing began', async () => {
    const r = new StartedResources();
    await r.closeAll();
    expect(() => r.add('late', () => {})).toThrow(/after closing began/);
  });
});
