// A small ISO/IEC 7816-4 card operating system: APDU parsing, CLA/INS dispatch, SELECT, READ BINARY,
// VERIFY with retry counters, security state, and transport rules (Le handling, T=0 quirks). Concrete
// cards (My Number, licence, residence card, passport) build a file tree and register their own commands.
//
// It is an emulator, not a script: every answer is computed from the card's state, so a host that sends
// the wrong sequence gets what a real card would give it.
import { parseCommandApdu, type CommandApdu } from './apdu.ts';
import { ApduLog } from './apdu-log.ts';
import { tlv } from './ber-tlv.ts';
import { childByFid, efBySfi, findByAid, MF_FID, pinByRef, type AccessRule, type DedicatedFile, type ElementaryFile, type PinEf } from './files.ts';
import type { PinObject } from './pin.ts';
import { moreData, rapdu, SW, triesLeft, wrongLe } from './status.ts';
import type { CardResponse, TransportQuirks } from './transport.ts';
import type { VirtualCard } from '../virtual-card.ts';

export type CommandHandler = (cmd: CommandApdu) => CardResponse;

export interface Iso7816CardOptions {
  atr: Buffer;
  mf: DedicatedFile;
  quirks?: TransportQuirks;
  /** Maximum APDU log entries kept (default 10000). */
  logLimit?: number;
}

const EMPTY = Buffer.alloc(0);

export class Iso7816Card implements VirtualCard {
  readonly atr: Buffer;
  readonly mf: DedicatedFile;
  readonly quirks: TransportQuirks;
  readonly log: ApduLog;
  protected currentDf: DedicatedFile;
  protected currentEf: ElementaryFile | null = null;
  /** Verified PINs and the DF that owns each: ISO keeps a DF's security status while inside that DF. */
  protected readonly verified = new Map<PinObject, DedicatedFile>();
  #pending: { data: Buffer; sw: number } | null = null;
  readonly #handlers = new Map<number, Map<number, CommandHandler>>();
  /** CLA/INS pairs that accept command chaining (CLA bit 0x10), and how (see registerChained). */
  readonly #chained = new Map<number, 'each' | 'buffer'>();
  /** Data of the chained commands received so far ('buffer' mode). */
  #chain: { cla: number; ins: number; parts: Buffer[] } | null = null;

  constructor(o: Iso7816CardOptions) {
    this.atr = Buffer.from(o.atr);
    this.mf = o.mf;
    this.quirks = { ...o.quirks };
    this.log = new ApduLog(o.logLimit);
    this.currentDf = o.mf;
    this.register(0x00, 0xa4, (c) => this.select(c));
    this.register(0x00, 0xb0, (c) => this.readBinary(c));
    this.register(0x00, 0xb1, (c) => this.readBinaryOdd(c));
    this.register(0x00, 0x20, (c) => this.verify(c));
    this.register(0x00, 0xc0, (c) => this.getResponse(c));
  }

  /** Add (or replace) the handler for one CLA/INS pair. Unregistered CLA → 6E00, unregistered INS → 6D00. */
  protected register(cla: number, ins: number, handler: CommandHandler): void {
    let byIns = this.#handlers.get(cla);
    if (!byIns) {
      byIns = new Map();
      this.#handlers.set(cla, byIns);
    }
    byIns.set(ins, handler);
  }

  /**
   * Accept ISO 7816-4 command chaining (CLA | 0x10) for one CLA/INS pair. 'each': every command of the
   * chain goes to the handler, which sees the chaining bit in cmd.cla (PACE GENERAL AUTHENTICATE: each
   * step is answered). 'buffer': the OS answers 9000 to each non-last part and hands the handler one
   * command with the concatenated data. Without this, CLA | 0x10 is answered 6884.
   */
  protected registerChained(cla: number, ins: number, handler: CommandHandler, mode: 'each' | 'buffer'): void {
    this.register(cla, ins, handler);
    this.#chained.set((cla << 8) | ins, mode);
  }

  reset(): void {
    this.#chain = null;
    this.currentDf = this.mf;
    this.currentEf = null;
    this.verified.clear();
    this.#pending = null;
  }

  process(apdu: Buffer): Buffer {
    const parsed = parseCommandApdu(apdu);
    let out: { sw: number; data: Buffer };
    try {
      out = parsed.ok ? this.#run(parsed.apdu) : { sw: SW.WRONG_LENGTH, data: EMPTY };
    } catch {
      // A bug in a handler must look like a card error to the host, never crash the reader side.
      out = { sw: SW.NO_PRECISE_DIAGNOSIS, data: EMPTY };
    }
    this.log.record(apdu, parsed.ok ? parsed.apdu : null, out.sw, out.data.length);
    return rapdu(out.sw, out.data);
  }

  #run(cmd: CommandApdu): { sw: number; data: Buffer } {
    const isGetResponse = cmd.cla === 0x00 && cmd.ins === 0xc0;
    if (!isGetResponse) this.#pending = null;
    if (cmd.extended && this.quirks.rejectExtended) return { sw: SW.WRONG_LENGTH, data: EMPTY };
    const chained = this.#chaining(cmd);
    if (chained === null) return { sw: SW.OK, data: EMPTY };
    if (typeof chained === 'number') return { sw: chained, data: EMPTY };
    cmd = chained;
    const byIns = this.#handlers.get(cmd.cla);
    if (!byIns) {
      if (cmd.cla !== 0xff && (cmd.cla & 0x10) !== 0 && this.#handlers.has(cmd.cla & ~0x10)) return { sw: SW.CHAINING_NOT_SUPPORTED, data: EMPTY };
      if (cmd.cla !== 0xff && (cmd.cla & 0x03) !== 0 && this.#handlers.has(cmd.cla & ~0x03)) return { sw: SW.LOGICAL_CHANNEL_NOT_SUPPORTED, data: EMPTY };
      return { sw: SW.CLA_NOT_SUPPORTED, data: EMPTY };
    }
    const handler = byIns.get(cmd.ins);
    if (!handler) return { sw: SW.INS_NOT_SUPPORTED, data: EMPTY };
    const res = handler(cmd);
    if (isGetResponse) return { sw: res.sw, data: res.data ?? EMPTY };
    return this.#applyLe(cmd, res);
  }

  /**
   * Command chaining: returns the command to dispatch, null when a buffered part was taken (answer 9000),
   * or a status word. A chain interrupted by another command is dropped, as ISO 7816-4 allows.
   */
  #chaining(cmd: CommandApdu): CommandApdu | number | null {
    const isChainPart = cmd.cla !== 0xff && (cmd.cla & 0x10) !== 0;
    const base = isChainPart ? cmd.cla & ~0x10 : cmd.cla;
    const mode = this.#chained.get((base << 8) | cmd.ins);
    const pending = this.#chain;
    if (pending && (pending.cla !== base || pending.ins !== cmd.ins)) this.#chain = null;
    if (!mode) return cmd;
    if (mode === 'each') return isChainPart ? { ...cmd, cla: base, chained: true } : cmd;
    if (isChainPart) {
      if (cmd.ne !== null) return SW.WRONG_LENGTH; // no Le on non-last parts
      const c = this.#chain ?? { cla: base, ins: cmd.ins, parts: [] };
      c.parts.push(Buffer.from(cmd.data));
      this.#chain = c;
      return null;
    }
    if (!this.#chain) return cmd;
    const data = Buffer.concat([...this.#chain.parts, cmd.data]);
    this.#chain = null;
    return { ...cmd, data, case: cmd.ne === null ? 3 : 4 };
  }

  /** Transport rules for answers that carry data: Le checks, then (T=0 quirk) 61xx + GET RESPONSE. */
  #applyLe(cmd: CommandApdu, res: CardResponse): { sw: number; data: Buffer } {
    let data = res.data ?? EMPTY;
    if (data.length === 0) return { sw: res.sw, data: EMPTY };
    const q = this.quirks;
    if (res.fixedLength && cmd.ne !== null) {
      if (q.wrongLe && cmd.ne !== data.length && data.length <= 256) return { sw: wrongLe(data.length), data: EMPTY };
      if (cmd.ne < data.length) return { sw: SW.WRONG_LENGTH, data: EMPTY };
    }
    if (cmd.ne === null && !q.getResponse) return { sw: SW.WRONG_LENGTH, data: EMPTY };
    if (cmd.ne !== null && data.length > cmd.ne) data = data.subarray(0, cmd.ne);
    if (q.getResponse) {
      this.#pending = { data: Buffer.from(data), sw: res.sw };
      return { sw: moreData(data.length), data: EMPTY };
    }
    return { sw: res.sw, data };
  }

  protected getResponse(cmd: CommandApdu): CardResponse {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.WRONG_P1P2 };
    const pending = this.#pending;
    if (!pending) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    if (cmd.ne === null || cmd.data.length > 0) return { sw: SW.WRONG_LENGTH };
    if (this.quirks.wrongLe && cmd.ne > pending.data.length) return { sw: wrongLe(pending.data.length) };
    const part = pending.data.subarray(0, cmd.ne);
    const rest = pending.data.subarray(cmd.ne);
    this.#pending = rest.length > 0 ? { data: rest, sw: pending.sw } : null;
    return { sw: rest.length > 0 ? moreData(rest.length) : pending.sw, data: part };
  }

  // ---- security state ----

  /** True when the rule allows use now, given the PINs verified in this session. */
  isSatisfied(rule: AccessRule): boolean {
    if (rule.kind === 'always') return true;
    if (rule.kind === 'never') return false;
    return rule.pins.some((p) => this.verified.has(p));
  }

  isVerified(pin: PinObject): boolean {
    return this.verified.has(pin);
  }

  /** Move to another DF; PINs verified in DFs that are not ancestors-or-self of the new one are forgotten. */
  protected enterDf(df: DedicatedFile): void {
    this.currentDf = df;
    this.currentEf = null;
    const keep = new Set<DedicatedFile>();
    for (let d: DedicatedFile | null = df; d; d = d.parent) keep.add(d);
    for (const [pin, owner] of this.verified) if (!keep.has(owner)) this.verified.delete(pin);
  }

  // ---- SELECT ----

  protected select(cmd: CommandApdu): CardResponse {
    const p2 = cmd.p2;
    if (p2 !== 0x00 && p2 !== 0x04 && p2 !== 0x0c) return { sw: SW.WRONG_P1P2 };
    let target: DedicatedFile | ElementaryFile | undefined;
    switch (cmd.p1) {
      case 0x00: // MF, or a DF/EF by FID under the current DF
        if (cmd.data.length === 0) target = this.mf;
        else if (cmd.data.length !== 2) return { sw: SW.LC_INCONSISTENT };
        else {
          const fid = cmd.data.readUInt16BE(0);
          target = fid === MF_FID ? this.mf : childByFid(this.currentDf, fid);
        }
        break;
      case 0x01: // child DF by FID
      case 0x02: {
        // EF by FID under the current DF
        if (cmd.data.length !== 2) return { sw: SW.LC_INCONSISTENT };
        const found = childByFid(this.currentDf, cmd.data.readUInt16BE(0));
        const wantDf = cmd.p1 === 0x01;
        target = found && (found.kind === 'df') === wantDf ? found : undefined;
        break;
      }
      case 0x03: // parent DF
        if (cmd.data.length !== 0) return { sw: SW.LC_INCONSISTENT };
        target = this.currentDf.parent ?? undefined;
        break;
      case 0x04: // DF name (AID)
        if (cmd.data.length < 1 || cmd.data.length > 16) return { sw: SW.LC_INCONSISTENT };
        target = findByAid(this.mf, cmd.data);
        break;
      case 0x08: {
        // path from the MF, MF's FID omitted
        if (cmd.data.length === 0 || cmd.data.length % 2 !== 0) return { sw: SW.LC_INCONSISTENT };
        let node: DedicatedFile | ElementaryFile | undefined = this.mf;
        for (let i = 0; i < cmd.data.length && node; i += 2) {
          node = node.kind === 'df' ? childByFid(node, cmd.data.readUInt16BE(i)) : undefined;
        }
        target = node;
        break;
      }
      default:
        return { sw: SW.WRONG_P1P2 };
    }
    if (!target) return { sw: SW.FILE_NOT_FOUND };
    if (target.kind === 'df') {
      this.enterDf(target);
    } else {
      // An EF reached by path may live in another DF: that DF becomes current.
      const owner = this.#ownerOf(target);
      if (owner && owner !== this.currentDf) this.enterDf(owner);
      this.currentEf = target;
    }
    if (p2 === 0x0c || cmd.ne === null) return { sw: SW.OK };
    return { sw: SW.OK, data: fcp(target) };
  }

  #ownerOf(ef: ElementaryFile, df: DedicatedFile = this.mf): DedicatedFile | undefined {
    for (const c of df.children) {
      if (c === ef) return df;
      if (c.kind === 'df') {
        const o = this.#ownerOf(ef, c);
        if (o) return o;
      }
    }
    return undefined;
  }

  // ---- READ BINARY ----

  protected readBinary(cmd: CommandApdu): CardResponse {
    if (cmd.ne === null || cmd.data.length > 0) return { sw: SW.WRONG_LENGTH };
    let ef: ElementaryFile | null | undefined;
    let offset: number;
    if (cmd.p1 & 0x80) {
      // P1 = 100xxxxx: short EF identifier; P2 = offset 0..255; the EF becomes current.
      if (cmd.p1 & 0x60) return { sw: SW.WRONG_P1P2 };
      const sfi = cmd.p1 & 0x1f;
      if (sfi === 0 || sfi === 0x1f) return { sw: SW.WRONG_P1P2 };
      ef = efBySfi(this.currentDf, sfi);
      if (!ef) return { sw: SW.FILE_NOT_FOUND };
      this.currentEf = ef;
      offset = cmd.p2;
    } else {
      ef = this.currentEf;
      if (!ef) return { sw: SW.NO_CURRENT_EF };
      offset = (cmd.p1 << 8) | cmd.p2;
    }
    if (ef.kind !== 'transparent') return { sw: SW.INCOMPATIBLE_FILE_STRUCTURE };
    if (!this.isSatisfied(ef.read)) return { sw: SW.SECURITY_NOT_SATISFIED };
    if (this.quirks.maxReadLength !== undefined && cmd.ne > this.quirks.maxReadLength) return { sw: SW.WRONG_LENGTH };
    if (offset >= ef.data.length) return { sw: SW.OFFSET_OUTSIDE_EF };
    const chunk = ef.data.subarray(offset, offset + cmd.ne);
    return { sw: chunk.length < cmd.ne ? SW.END_OF_FILE : SW.OK, data: Buffer.from(chunk) };
  }

  // ---- READ BINARY, odd INS (B1): offset in DO54, answer in DO53; reaches offsets above 7FFF ----

  protected readBinaryOdd(cmd: CommandApdu): CardResponse {
    if (cmd.ne === null) return { sw: SW.WRONG_LENGTH };
    let ef: ElementaryFile | null | undefined;
    const fid = (cmd.p1 << 8) | cmd.p2;
    if (fid === 0) ef = this.currentEf;
    else {
      const found = childByFid(this.currentDf, fid);
      if (!found || found.kind === 'df') return { sw: SW.FILE_NOT_FOUND };
      ef = found;
      this.currentEf = found;
    }
    if (!ef) return { sw: SW.NO_CURRENT_EF };
    // Offset data object: 54 L offset (1..3 bytes, big-endian).
    const d = cmd.data;
    const n = d[1] ?? 0;
    if (d.length < 3 || d[0] !== 0x54 || n < 1 || n > 3 || d.length !== 2 + n) return { sw: SW.WRONG_DATA };
    let offset = 0;
    for (const b of d.subarray(2)) offset = offset * 256 + b;
    if (ef.kind !== 'transparent') return { sw: SW.INCOMPATIBLE_FILE_STRUCTURE };
    if (!this.isSatisfied(ef.read)) return { sw: SW.SECURITY_NOT_SATISFIED };
    if (offset >= ef.data.length) return { sw: SW.OFFSET_OUTSIDE_EF };
    // The answer is 53 L data and must fit Ne as a whole.
    const room = cmd.ne - 2 < 0x80 ? cmd.ne - 2 : cmd.ne - 3 < 0x100 ? cmd.ne - 3 : cmd.ne - 4;
    const chunk = ef.data.subarray(offset, offset + room);
    const len = chunk.length;
    const head = len < 0x80 ? Buffer.from([0x53, len]) : len < 0x100 ? Buffer.from([0x53, 0x81, len]) : Buffer.from([0x53, 0x82, len >> 8, len & 0xff]);
    return { sw: len < room ? SW.END_OF_FILE : SW.OK, data: Buffer.concat([head, chunk]) };
  }

  // ---- VERIFY ----

  /** The PIN EF a VERIFY refers to: P2 = 80 → the selected PIN EF; 81..9E → reference in this DF or above. */
  protected pinFor(p2: number): PinEf | undefined {
    if (p2 === 0x80) return this.currentEf?.kind === 'pin' ? this.currentEf : undefined;
    const ref = p2 & 0x1f;
    for (let d: DedicatedFile | null = this.currentDf; d; d = d.parent) {
      const p = pinByRef(d, ref);
      if (p) return p;
    }
    return undefined;
  }

  protected verify(cmd: CommandApdu): CardResponse {
    if (cmd.p1 !== 0x00) return { sw: SW.WRONG_P1P2 };
    if ((cmd.p2 & 0x80) === 0 || (cmd.p2 & 0x60) !== 0 || (cmd.p2 & 0x1f) === 0x1f) return { sw: SW.WRONG_P1P2 };
    if (cmd.ne !== null) return { sw: SW.WRONG_LENGTH };
    const pinEf = this.pinFor(cmd.p2);
    if (!pinEf) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    const pin = pinEf.pin;
    if (cmd.data.length === 0) {
      // Tries query. The JPKI-AP answers 63Cx even when already verified (docs/reference/iso7816.md §6), so no 9000 here.
      return { sw: pin.blocked ? pin.queryWhenBlocked : triesLeft(pin.triesLeft) };
    }
    const outcome = pin.verify(cmd.data);
    if (outcome === 'blocked') return { sw: SW.REFERENCE_DATA_NOT_USABLE };
    if (outcome === 'wrong') {
      this.verified.delete(pin);
      return { sw: triesLeft(pin.triesLeft) };
    }
    this.verified.set(pin, this.#ownerOf(pinEf) ?? this.currentDf);
    return { sw: SW.OK };
  }
}

/** Minimal FCP template (ISO 7816-4 §5.3.3) for SELECT with P2 = 00/04 and Le present. */
function fcp(node: DedicatedFile | ElementaryFile): Buffer {
  const parts: Buffer[] = [];
  const fid = Buffer.alloc(2);
  if (node.kind === 'df') {
    parts.push(tlv(0x82, Buffer.from([0x38])));
    if (node.fid !== undefined) {
      fid.writeUInt16BE(node.fid);
      parts.push(tlv(0x83, fid));
    }
    if (node.aid) parts.push(tlv(0x84, node.aid));
  } else {
    parts.push(tlv(0x82, Buffer.from([node.kind === 'transparent' ? 0x01 : 0x11])));
    fid.writeUInt16BE(node.fid);
    parts.push(tlv(0x83, fid));
    if (node.kind === 'transparent') {
      const size = Buffer.alloc(2);
      size.writeUInt16BE(Math.min(node.data.length, 0xffff));
      parts.push(tlv(0x80, size));
    }
  }
  return tlv(0x62, Buffer.concat(parts));
}
