// Process-level last resort for the daemon. Faults we can contain are contained where they happen
// (request handlers, WebSocket sockets, event listeners: drivers/typed-events.ts) and never get here.
// What does get here is an invariant we cannot reason about any more:
// - an uncaught exception: the code that threw was interrupted at an unknown point, so state (a card
//   session, a PIN buffer, a half-written audit record) may be inconsistent. We log it, try a bounded
//   clean stop (the card is reset, listeners closed) and exit non-zero; systemd (Restart=always) starts a
//   fresh daemon. Continuing would serve from state nobody can vouch for.
// - an unhandled rejection: a promise nobody awaited failed; nothing was interrupted midway, so we log it
//   (a bug to fix) and keep serving rather than hand any stray rejection the power to stop the kiosk.
import type { Logger } from '../core/log.ts';

/** sysexits.h EX_SOFTWARE: an internal software error (systemd logs the status). */
export const EXIT_INVARIANT = 70;

export interface ProcessGuardOptions {
  log: Logger;
  /** Clean stop (reset the card, close listeners); bounded by stopTimeoutMs. */
  stop: () => Promise<void>;
  stopTimeoutMs?: number;
  exit?: (code: number) => void;
}

const describe = (e: unknown): string => {
  if (!(e instanceof Error)) return typeof e;
  const code: unknown = (e as unknown as { code?: unknown }).code;
  return `${e.name}${typeof code === 'string' ? ` ${code}` : ''}\n${e.stack ?? ''}`;
};

/** Installs the handlers; returns a function that removes them. */
export function installProcessGuards(o: ProcessGuardOptions): () => void {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  let rejections = 0;
  const onException = (e: unknown, origin: string) => {
    o.log(`fatal: ${origin}: ${describe(e)}`);
    if (stopping) return;
    stopping = true;
    o.log(`fatal: invariant broken, stopping (exit ${EXIT_INVARIANT}; systemd restarts the daemon)`);
    const deadline = new Promise<void>((r) => setTimeout(r, o.stopTimeoutMs ?? 3000).unref());
    void Promise.race([o.stop().catch(() => {}), deadline]).finally(() => exit(EXIT_INVARIANT));
  };
  const onRejection = (reason: unknown) => {
    rejections++;
    // Bounded: a loop of rejections must not flood the journal.
    if (rejections <= 20 || rejections % 1000 === 0) o.log(`error: unhandled rejection #${rejections}: ${describe(reason)}`);
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
