// Reading LDS files through secure messaging (docs/reference/passport.md §1): SELECT the EF by FID, read the BER
// header, then the rest. Where the reader and chip accept extended length, the rest comes in as few
// READ BINARY commands as possible (one per side of offset 7FFF for a large face); the first extended read
// is a probe: a refusal (6700/6Cxx under SM, a plain answer or a transport failure before the chip's SM
// saw it) turns extended reads off for the session and the chunked reads take over. Chunked reads keep
// the plain Le ≤ 223 (so an AES-wrapped answer fits a short APDU), halving the chunk on 6700/6Cxx for
// older chips. Offsets above 7FFF use odd-INS READ BINARY (B1, offset in DO54, data in DO53).
import { ErrorCodes, KioskError } from '../../../../core/errors.ts';
import { statusError } from '../../../../drivers/reader/card-session.ts';
import type { ResponseApdu } from '../../../../drivers/reader/apdu.ts';
import type { SecureChannel } from '../access/secure-messaging.ts';
import { BER, INDEFINITE, readTlv } from '../../../encoding/ber-tlv.ts';

export const MAX_SM_CHUNK = 223;
/** Largest plain Le of one extended read: the wrapped answer (DO87 + padding, DO99, DO8E) stays ≤ 65536. */
export const MAX_EXTENDED_CHUNK = 0xff00;

export interface FileReaderOptions {
  maxFileBytes?: number;
  /** Called after every chunk (progress, APDU counting). */
  onChunk?: (bytes: number) => void;
  /** Try extended-length reads (default: unless the card session is configured never to use them). */
  extended?: boolean;
}

export class LdsFileReader {
  private chunk = MAX_SM_CHUNK;
  /** Extended-length reads: null = not tried yet, then whether they work; false for good after a refusal. */
  private extended: boolean | null;
  private extendedChunk = MAX_EXTENDED_CHUNK;
  readonly maxFileBytes: number;

  constructor(
    private readonly channel: () => SecureChannel,
    private readonly o: FileReaderOptions = {},
  ) {
    this.maxFileBytes = o.maxFileBytes ?? 256 * 1024;
    this.extended = o.extended === false ? false : null;
  }

  /** SELECT the EF; returns false when the file does not exist (6A82). */
  async select(fid: number, what: string): Promise<boolean> {
    const res = await this.channel().send({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fid >> 8, fid & 0xff]) });
    if (res.sw === 0x6a82) return false;
    if (res.sw !== 0x9000) throw statusError(res.sw, what);
    return true;
  }

  /** Read the whole selected EF (one BER-TLV). */
  async readSelected(what: string): Promise<Buffer> {
    const head = await this.readAt(0, 8, what, true, false);
    const total = tlvTotal(head, what);
    if (total > this.maxFileBytes) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: announced length ${total} too large`);
    const first = head.subarray(0, Math.min(head.length, total));
    const parts = [first];
    let have = first.length;
    while (have < total) {
      const left = total - have;
      // B0 reads end at 7FFF at the latest (as CardSession's plain reads do); B1 takes over from 8000.
      const span = have < 0x8000 ? Math.min(left, 0x8000 - have) : left;
      // Extended only for more than 256 bytes: SecureMessaging.protect wraps a plain Le ≤ 256 in a short
      // APDU, whose answer cannot carry more than 223 bytes under SM.
      const extended = this.extended !== false && span > 256 && this.channel().session.extendedUsable;
      const n = Math.min(extended ? this.extendedChunk : this.chunk, span);
      let data: Buffer;
      try {
        data = await this.readAt(have, n, what, false, extended);
      } catch (e) {
        if (e instanceof KioskError && e.detail.retryShorter === true) {
          if (extended) {
            // The chip's largest answer is smaller: halve, and at a short APDU's size give up on extended reads.
            this.extendedChunk = n >> 1;
            if (this.extendedChunk <= 256) this.extended = false;
            continue;
          }
          if (this.chunk > 32) {
            this.chunk = Math.max(32, this.chunk >> 1);
            continue;
          }
        }
        throw e;
      }
      if (data.length === 0) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: empty read at ${have}`);
      if (extended) this.extended = true;
      parts.push(data.subarray(0, total - have));
      have += Math.min(data.length, total - have);
      this.o.onChunk?.(data.length);
    }
    return Buffer.concat(parts);
  }

  async readFile(fid: number, what: string): Promise<Buffer | null> {
    if (!(await this.select(fid, what))) return null;
    return this.readSelected(what);
  }

  private async readAt(offset: number, le: number, what: string, allowShort: boolean, extended: boolean): Promise<Buffer> {
    const odd = offset > 0x7fff;
    // B1's Le counts the DO53 header (≤ 4 bytes); in a short APDU the whole DO53 stays ≤ 223, like B0's data.
    const cmd = odd
      ? { cla: 0x00, ins: 0xb1, p1: 0, p2: 0, data: offsetDo(offset), le: extended ? le + 4 : Math.min(MAX_SM_CHUNK, le + 4) }
      : { cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le };
    let res: ResponseApdu | null;
    if (extended && this.extended === null) {
      // The probe. Refused before SM (plain answer, transport failure) or answered with an error other than
      // a length one → chunked reads from here on; a genuine error then comes back from the chunked read.
      res = await this.channel().trySend(cmd);
      const lengthRefused = res !== null && (res.sw === 0x6700 || res.sw >> 8 === 0x6c);
      if (res === null || (!lengthRefused && res.sw !== 0x9000 && res.sw !== 0x6282)) {
        this.extended = false;
        throw new KioskError(ErrorCodes.CARD_UNEXPECTED_STATUS, `${what}: extended read refused`, { retryShorter: true });
      }
    } else res = await this.channel().send(cmd);
    if (res.sw === 0x6700 || res.sw >> 8 === 0x6c) {
      throw new KioskError(ErrorCodes.CARD_UNEXPECTED_STATUS, `${what}: read length refused`, { sw: res.sw.toString(16).toUpperCase(), retryShorter: true });
    }
    if (res.sw !== 0x9000 && !(res.sw === 0x6282 && (allowShort || res.data.length > 0))) throw statusError(res.sw, what);
    if (!odd) return res.data;
    const t = readTlv(res.data);
    if (t.tag !== 0x53) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: odd-INS answer without DO53`);
    return t.value;
  }
}

/** DO54 with the offset in the fewest bytes (2 up to FFFF, else 3), as chips expect. */
function offsetDo(offset: number): Buffer {
  return offset <= 0xffff
    ? Buffer.from([0x54, 0x02, offset >> 8, offset & 0xff])
    : Buffer.from([0x54, 0x03, offset >> 16, (offset >> 8) & 0xff, offset & 0xff]);
}

/** Total size of the TLV whose header starts `head` (definite lengths only: an EF's outer length is). */
export function tlvTotal(head: Buffer, what: string): number {
  const h = BER.header(head, 0, what);
  if (h.length === INDEFINITE) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: indefinite length on an EF`);
  return h.valueStart + h.length;
}
