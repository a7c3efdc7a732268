// Per-card record of what the host sent and what the card answered, so tests can assert the host's
// behaviour at the APDU level ("no VERIFY with data was sent", "the key EF was selected before signing").
// Secrets never enter the log: the data field of VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER is
// dropped and only its length kept.
import type { CommandApdu } from './apdu.ts';
import { swHex } from './status.ts';

/** INS codes whose command data is a secret (PIN, password, new PIN). */
const SECRET_INS = new Set([0x20, 0x21, 0x24, 0x2c]);

export interface ApduLogEntry {
  seq: number;
  /** CLA INS P1 P2 (fewer bytes if the command was shorter than a header). */
  header: Buffer;
  cla: number | null;
  ins: number | null;
  p1: number | null;
  p2: number | null;
  /** The whole command, or null when redacted (secret-bearing data, or an unparseable command). */
  command: Buffer | null;
  redacted: boolean;
  /** Command data length (Nc); for unparseable commands, the total byte count. */
  dataLength: number;
  ne: number | null;
  parsed: boolean;
  sw: number;
  /** Response data bytes returned with this SW (before SW1 SW2). */
  responseLength: number;
}

const hex = (b: Buffer): string =>
  b
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1 ');

export function describeEntry(e: ApduLogEntry): string {
  const cmd = e.command ? hex(e.command) : `${hex(e.header)} <${e.parsed ? 'redacted' : 'malformed'} ${e.dataLength} bytes>`;
  return `${cmd} -> ${e.responseLength > 0 ? `${e.responseLength} bytes ` : ''}${swHex(e.sw)}`;
}

export class ApduLog {
  readonly entries: ApduLogEntry[] = [];
  #seq = 0;

  /** Keeps at most `limit` entries (a long-running CLI card must not grow without bound). */
  constructor(private readonly limit = 10_000) {}

  record(raw: Buffer, parsed: CommandApdu | null, sw: number, responseLength: number): ApduLogEntry {
    const header = Buffer.from(raw.subarray(0, 4));
    const secret = parsed ? SECRET_INS.has(parsed.ins) && parsed.data.length > 0 : raw.length > 4;
    const entry: ApduLogEntry = {
      seq: ++this.#seq,
      header,
      cla: raw[0] ?? null,
      ins: raw[1] ?? null,
      p1: raw[2] ?? null,
      p2: raw[3] ?? null,
      command: secret ? null : Buffer.from(raw),
      redacted: secret,
      dataLength: parsed ? parsed.data.length : raw.length,
      ne: parsed ? parsed.ne : null,
      parsed: parsed !== null,
      sw,
      responseLength,
    };
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  clear(): void {
    this.entries.length = 0;
  }

  filter(pred: (e: ApduLogEntry) => boolean): ApduLogEntry[] {
    return this.entries.filter(pred);
  }

  /** VERIFY commands that carried data (i.e. real PIN presentations, not tries queries). */
  verifiesWithData(): ApduLogEntry[] {
    return this.filter((e) => e.ins === 0x20 && e.parsed && e.dataLength > 0);
  }

  toString(): string {
    return this.entries.map(describeEntry).join('\n');
  }
}
