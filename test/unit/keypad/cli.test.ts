import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../core/cli-io.ts';
import command from '../../../daemon/cli/commands/keypad.ts';

// The command module directly (runCli would load every other command too).
const runCli = (argv: string[], cli: CliIO) =>
  command.run(argv.slice(1), cli).catch((e: { code?: string }) => {
    cli.stderr(`${e.code}\n`);
    return 2;
  });

function io(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), readStdin: async () => stdin };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describe('idkiosk keypad test', () => {
  it('simulated backend: shows each key and a summary of keys not pressed', async () => {
    const c = io('1234*#');
    expect(await runCli(['keypad', 'test', '--backend', 'simulated'], c.cli)).toBe(0);
    expect(c.out()).toContain('pressed  4');
    expect(c.out()).toMatch(/summary: 6 presses; not pressed: 5 6 7 8 9 0; stuck: none/);
  });

  it('evdev backend on a recorded capture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evcap-'));
    try {
      const hex = readFileSync(new URL('./fixtures/matrix-keypad-24.hex', import.meta.url), 'utf8').replace(/\s+/g, '');
      writeFileSync(join(dir, 'event0'), Buffer.from(hex, 'hex'));
      const c = io();
      const rc = await runCli(['keypad', 'test', '--device', join(dir, 'event0'), '--count', '5'], c.cli);
      expect(rc).toBe(0);
      expect(
        c
          .out()
          .match(/pressed {2}./g)!
          .slice(0, 5),
      ).toEqual(['pressed  2', 'pressed  0', 'pressed  2', 'pressed  6', 'pressed  #']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails when the device cannot be opened', async () => {
    const c = io();
    expect(await runCli(['keypad', 'test', '--device', '/nonexistent/event9', '--seconds', '0.2'], c.cli)).toBe(1);
    expect(c.err()).toMatch(/never became ready/);
  });

  it('rejects a bad backend with USAGE', async () => {
    const c = io();
    expect(await runCli(['keypad', 'test', '--backend', 'pigpio'], c.cli)).toBe(2);
    expect(c.err()).toMatch(/USAGE/);
  });
});
