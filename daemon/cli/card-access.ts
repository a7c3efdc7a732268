// For technician commands: find a reader holding a card through the real pcscd, connect, run, disconnect.
import { CardSession, type CardSessionOptions } from '../../drivers/reader/card-session.ts';
import { PcscReaderDriver } from '../../drivers/reader/pcsc-binding.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';

export interface CardAccessOptions {
  /** Reader name; default: the first reader holding a card. */
  reader?: string;
  /** How long to wait for pcscd, the reader and a card. */
  waitMs?: number;
  session?: CardSessionOptions;
}

export async function withCard<T>(o: CardAccessOptions, fn: (session: CardSession) => Promise<T>): Promise<T> {
  const driver = new PcscReaderDriver({ minBackoffMs: 100, maxBackoffMs: 500 });
  driver.start();
  try {
    const deadline = Date.now() + (o.waitMs ?? 3000);
    let name: string | undefined;
    while (Date.now() < deadline) {
      const readers = driver.readers();
      name = o.reader ? readers.find((r) => r.name === o.reader && r.present)?.name : readers.find((r) => r.present)?.name;
      if (name) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    if (!name) {
      if (!driver.serviceAvailable()) throw new KioskError(ErrorCodes.READER_UNAVAILABLE, 'pcscd is not reachable');
      const readers = driver.readers();
      if (o.reader && !readers.some((r) => r.name === o.reader)) {
        throw new KioskError(ErrorCodes.READER_NOT_FOUND, `no reader named "${o.reader}" (readers: ${readers.map((r) => r.name).join(', ') || 'none'})`);
      }
      throw new KioskError(ErrorCodes.READER_NO_CARD, readers.length ? 'no card in the reader' : 'no reader connected');
    }
    const channel = await driver.connect(name);
    try {
      return await fn(new CardSession(channel, o.session));
    } finally {
      await channel.disconnect().catch(() => {});
    }
  } finally {
    await driver.stop();
    // SCardTransmit to a silent card cannot be interrupted, and Node's exit waits for it (libuv joins its
    // thread pool): the answer is printed now, the process ends when the card leaves the reader.
    if (driver.hasStuckExchange()) process.stderr.write('idkiosk: the card stopped answering; remove it from the reader to end this command\n');
  }
}
