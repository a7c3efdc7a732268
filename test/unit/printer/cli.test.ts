import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../core/cli-io.ts';
import command from '../../../daemon/cli/commands/printer.ts';

// The command module directly (runCli would load every other command too).
const runCli = (argv: string[], cli: CliIO) =>
  command.run(argv.slice(1), cli).catch((e: { code?: string }) => {
    cli.stderr(`${e.code}\n`);
    return 2;
  });

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), readStdin: async () => '' };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describe('idkiosk printer', () => {
  it('test-page on the virtual printer is confirmed and written as SVG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-'));
    try {
      const c = io();
      expect(await runCli(['printer', 'test-page', '--virtual', '--svg', join(dir, 'p.svg'), '--qr', 'raster'], c.cli)).toBe(0);
      expect(c.err()).toMatch(/confirmed \(attempts 1\)/);
      expect(c.out()).toContain('漢字: 本人確認');
      expect(c.out()).toContain('[RASTER');
      expect(readFileSync(join(dir, 'p.svg'), 'utf8')).toContain('テストページ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('status --json reports the state and exits by usability', async () => {
    const c = io();
    expect(await runCli(['printer', 'status', '--virtual', '--json'], c.cli)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ state: 'ready', usable: true });
    const d = io();
    expect(await runCli(['printer', 'status', '--port', '/nonexistent/tty', '--json'], d.cli)).toBe(1);
    expect(JSON.parse(d.out())).toMatchObject({ state: 'disconnected', usable: false });
  });

  it('validates options', async () => {
    const c = io();
    expect(await runCli(['printer', 'status', '--flow', 'dtr'], c.cli)).toBe(2);
    expect(c.err()).toMatch(/USAGE/);
  });
});
