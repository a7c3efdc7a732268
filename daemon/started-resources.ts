// Start in order, stop in reverse. A start function registers how to close each resource the moment it
// exists (a listener bound, a timer armed, a device opened, a database opened); when a later step throws,
// everything already started is closed, newest first, before the error goes up — so a failed start
// leaves no port bound, no timer armed and no device open, and a restart by systemd finds them free.
// The same list is the normal stop, so start and stop cannot drift apart.
import { asLogger, type Logger, type LogSink } from '../core/log.ts';

export class StartedResources {
  private readonly closers: { name: string; close: () => unknown }[] = [];
  private closing: Promise<string[]> | null = null;

  private readonly log: Logger;

  constructor(log?: LogSink) {
    this.log = asLogger(log);
  }

  /** Registers how to close what was just started. */
  add(name: string, close: () => unknown): void {
    if (this.closing !== null) throw new Error(`'${name}' started after closing began`);
    this.closers.push({ name, close });
  }

  /** Names registered so far, in start order. */
  names(): string[] {
    return this.closers.map((c) => c.name);
  }

  /**
   * Closes everything, newest first. A closer that throws is logged and the others still run; resolves to
   * the names that failed to close. Idempotent: a second call gets the first call's result.
   */
  closeAll(): Promise<string[]> {
    this.closing ??= (async () => {
      const failed: string[] = [];
      for (const c of [...this.closers].reverse()) {
        try {
          await c.close();
        } catch (e) {
          failed.push(c.name);
          this.log.error(`closing ${c.name} failed (${describe(e)})`);
        }
      }
      return failed;
    })();
    return this.closing;
  }
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? `${e.name} ${code}` : e.name;
}
