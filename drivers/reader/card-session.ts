// The APDU layer every document protocol talks to. On top of a raw CardChannel it handles what cards and
// readers do differently: `61xx` GET RESPONSE chaining and `6Cxx` Le retry (T=0 links), extended-length
// APDUs where reader and card accept them and short-APDU chunking otherwise, and bounded reads of
// transparent EFs whose length comes from their own BER header.
import { at } from '../../core/checked.ts';
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { encodeCommand, needsExtended, parseResponse, redactedHex, sw1, SW_OK, swHex, type CommandApdu, type ResponseApdu } from './apdu.ts';
import type { CardChannel } from './types.ts';

export type ExtendedMode = 'auto' | 'never' | 'always';

export interface ExchangeRecord {
  /** Command bytes with secrets redacted. */
  command: string;
  sw: number;
  ms: number;
}

export interface CardSessionOptions {
  extended?: ExtendedMode;
  /** Called after every exchange (APDU counting in benchmarks, test assertions); never sees secrets. */
  onExchange?: (r: ExchangeRecord) => void;
  /** Upper bound for one EF read, against a card announcing an absurd length. */
  maxFileBytes?: number;
}

const MAX_CHAINED_RESPONSES = 300;

export class CardSession {
  private extendedWorks: boolean | null;
  private shortChunk = 256;
  readonly opts: Required<Omit<CardSessionOptions, 'onExchange'>> & Pick<CardSessionOptions, 'onExchange'>;

  constructor(
    readonly channel: CardChannel,
    options: CardSessionOptions = {},
  ) {
    this.opts = { extended: options.extended ?? 'auto', maxFileBytes: options.maxFileBytes ?? 65536, onExchange: options.onExchange };
    this.extendedWorks = this.opts.extended === 'never' ? false : this.opts.extended === 'always' ? true : null;
  }

  get atr(): Buffer {
    return this.channel.atr;
  }

  /** Whether extended-length APDUs are (believed to be) usable on this reader + card. */
  get extendedUsable(): boolean {
    return this.extendedWorks !== false;
  }

  /** One command with T=0 response handling. Returns the final response (any SW); throws only on transport errors. */
  async send(cmd: CommandApdu, extended = false): Promise<ResponseApdu> {
    let res = await this.exchange(cmd, extended);
    if (sw1(res.sw) === 0x6c && cmd.le !== undefined && !extended) {
      // Wrong Le: the card tells the right one; re-send the same command once.
      res = await this.exchange({ ...cmd, le: res.sw & 0xff || 256 });
    }
    if (sw1(res.sw) === 0x61) {
      const parts = [res.data];
      let total = res.data.length;
      for (let i = 0; sw1(res.sw) === 0x61; i++) {
        if (i >= MAX_CHAINED_RESPONSES || total > this.opts.maxFileBytes) {
          throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, 'card keeps announcing more response data');
        }
        res = await this.exchange({ cla: 0x00, ins: 0xc0, p1: 0, p2: 0, le: res.sw & 0xff || 256 });
        parts.push(res.data);
        total += res.data.length;
      }
      res = { data: Buffer.concat(parts), sw: res.sw };
    }
    return res;
  }

  /** `send`, then require 9000. */
  async sendOk(cmd: CommandApdu, what: string): Promise<Buffer> {
    const res = await this.send(cmd);
    if (res.sw !== SW_OK) throw statusError(res.sw, what);
    return res.data;
  }

  async selectAid(aid: Buffer): Promise<number> {
    return (await this.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: aid })).sw;
  }

  async selectEf(fid: number): Promise<number> {
    return (await this.send({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: Buffer.from([fid >> 8, fid & 0xff]) })).sw;
  }

  /**
   * Reads the whole current (selected) transparent EF whose content is one BER-TLV: reads the header,
   * computes the total from its length field, then reads the rest — in one extended APDU where that works,
   * else in short chunks by offset.
   */
  async readTlvFile(what: string): Promise<Buffer> {
    const head = await this.readBinary(0, 8, what, true);
    const total = berTotalLength(head, what);
    if (total > this.opts.maxFileBytes) {
      throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: announced length ${total} exceeds ${this.opts.maxFileBytes}`);
    }
    if (head.length >= total) return head.subarray(0, total);
    return Buffer.concat([head, await this.readRange(head.length, total - head.length, what)]);
  }

  /** Read `length` bytes from `offset` of the current EF. */
  async readRange(offset: number, length: number, what: string): Promise<Buffer> {
    if (length > 256 && this.extendedWorks !== false && offset + length <= 0x8000) {
      try {
        const data = await this.readBinary(offset, length, what, false, true);
        if (this.extendedWorks === null) this.extendedWorks = true;
        if (data.length === length) return data;
        return Buffer.concat([data, await this.readRange(offset + data.length, length - data.length, what)]);
      } catch (e) {
        if (this.extendedWorks === true || !isExtendedRefusal(e)) throw e;
        this.extendedWorks = false; // fall back to short APDUs for the rest of the session
      }
    }
    const parts: Buffer[] = [];
    let done = 0;
    while (done < length) {
      const n = Math.min(this.shortChunk, length - done);
      let chunk: Buffer;
      try {
        chunk = await this.readBinary(offset + done, n, what);
      } catch (e) {
        // Older chips answer only ~160 bytes per read and say so with 6700: adapt the chunk size down.
        if (e instanceof KioskError && e.detail.sw === '6700' && n > 16) {
          this.shortChunk = Math.max(16, n >> 1);
          continue;
        }
        throw e;
      }
      if (chunk.length === 0) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: empty read at ${offset + done}`);
      parts.push(chunk);
      done += chunk.length;
    }
    return Buffer.concat(parts);
  }

  /** One READ BINARY with a 15-bit offset. `allowShort`: accept end of file (6282) before `le` bytes. */
  async readBinary(offset: number, le: number, what: string, allowShort = false, extended = false): Promise<Buffer> {
    if (offset > 0x7fff) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: offset ${offset} beyond 15 bits`);
    const cmd: CommandApdu = { cla: 0x00, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le };
    const res = extended ? await this.exchangeExtended(cmd) : await this.send(cmd);
    if (res.sw === 0x6282 && allowShort) return res.data;
    if (res.sw !== SW_OK) throw statusError(res.sw, what);
    if (res.data.length > le) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: ${res.data.length} bytes for Le ${le}`);
    return res.data;
  }

  private async exchangeExtended(cmd: CommandApdu): Promise<ResponseApdu> {
    const res = await this.send(cmd, true);
    // Cards and readers refuse extended length in many ways (6700, 6Cxx, 6A86, 6D00, 6F00…). Until an
    // extended read has worked once, any failure means "use short APDUs"; a genuine error (6982, say)
    // then comes back from the short read, at the cost of one APDU.
    const untested = this.extendedWorks === null && res.sw !== SW_OK && res.sw !== 0x6282;
    if (res.sw === 0x6700 || sw1(res.sw) === 0x6c || untested) {
      throw new KioskError(ErrorCodes.CARD_UNEXPECTED_STATUS, 'extended APDU refused', { sw: swHex(res.sw), extendedRefused: true });
    }
    return res;
  }

  private async exchange(cmd: CommandApdu, forceExtended = false): Promise<ResponseApdu> {
    const start = performance.now();
    const bytes = encodeCommand(cmd, forceExtended || needsExtended(cmd));
    let raw: Buffer;
    try {
      raw = await this.channel.transmit(bytes);
    } finally {
      if (cmd.sensitive) bytes.fill(0); // our copy of the secret; the caller wipes its own
    }
    const res = parseResponse(raw);
    this.opts.onExchange?.({ command: redactedHex(cmd), sw: res.sw, ms: performance.now() - start });
    return res;
  }
}

function isExtendedRefusal(e: unknown): boolean {
  return e instanceof KioskError && (e.detail.extendedRefused === true || e.code === ErrorCodes.READER_TRANSMIT_FAILED);
}

/** Total size (tag + length + value) of the BER-TLV at the start of `head`. */
export function berTotalLength(head: Buffer, what: string): number {
  let i = 0;
  if (head.length < 2) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: file too short for a TLV header`);
  if ((at(head, i++, ErrorCodes.CARD_MALFORMED_RESPONSE, what) & 0x1f) === 0x1f) {
    while (i < head.length && at(head, i, ErrorCodes.CARD_MALFORMED_RESPONSE, what) & 0x80) i++;
    i++;
  }
  if (i >= head.length) throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: truncated TLV tag`);
  const first = at(head, i++, ErrorCodes.CARD_MALFORMED_RESPONSE, what);
  if (first < 0x80) return i + first;
  const n = first & 0x7f;
  if (n === 0 || n > 3 || i + n > head.length) {
    throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `${what}: unsupported TLV length form`);
  }
  let len = 0;
  for (let k = 0; k < n; k++) len = len * 256 + at(head, i++, ErrorCodes.CARD_MALFORMED_RESPONSE, what);
  return i + len;
}

/** Map a status word the protocol step did not expect to a typed error. */
export function statusError(sw: number, what: string): KioskError {
  const detail = { sw: swHex(sw) };
  switch (sw) {
    case 0x6a82:
      return new KioskError(ErrorCodes.CARD_FILE_NOT_FOUND, `${what}: file not found`, detail);
    case 0x6982:
      return new KioskError(ErrorCodes.CARD_SECURITY_NOT_SATISFIED, `${what}: security status not satisfied`, detail);
    case 0x6984:
    case 0x6983:
      return new KioskError(ErrorCodes.PIN_LOCKED, `${what}: reference data blocked`, detail);
    default:
      return new KioskError(ErrorCodes.CARD_UNEXPECTED_STATUS, `${what}: unexpected status ${swHex(sw)}`, detail);
  }
}
