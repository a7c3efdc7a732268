// A socat PTY pair standing in for a serial cable: `a` is the kiosk's end, `b` the printer's. kill()
// pulls the cable (both PTYs vanish), start() plugs a new one in at the same paths.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class PtyPair {
  readonly dir = mkdtempSync(join(tmpdir(), 'idkiosk-pty-'));
  readonly a = join(this.dir, 'kiosk');
  readonly b = join(this.dir, 'printer');
  private proc: ChildProcess | null = null;

  async start(): Promise<void> {
    this.proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (!(existsSync(this.a) && existsSync(this.b))) {
      if (Date.now() > deadline) throw new Error('socat did not create the PTY links');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGKILL');
    });
    // socat removes its links on a clean exit only
    rmSync(this.a, { force: true });
    rmSync(this.b, { force: true });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
