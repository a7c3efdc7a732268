// ISO/IEC 7816-4 command and response APDUs: encoding (short and extended length), status words.
import { ErrorCodes, KioskError } from '../../core/errors.ts';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Buffer;
  /** Expected response length: 1..65536 (256 = short "00", 65536 = extended "0000"); absent = none. */
  le?: number;
  /** The data field is a secret (PIN, password, key material): never logged, wiped by the caller. */
  sensitive?: boolean;
}

export interface ResponseApdu {
  data: Buffer;
  sw: number;
}

export const SW_OK = 0x9000;

export function sw1(sw: number): number {
  return sw >> 8;
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** True when the command needs the extended form. */
export function needsExtended(cmd: CommandApdu): boolean {
  return (cmd.data?.length ?? 0) > 255 || (cmd.le ?? 0) > 256;
}

export function encodeCommand(cmd: CommandApdu, forceExtended = false): Buffer {
  const data = cmd.data ?? Buffer.alloc(0);
  if (data.length > 65535) throw new KioskError(ErrorCodes.INTERNAL, 'APDU data longer than 65535');
  if (cmd.le !== undefined && (cmd.le < 1 || cmd.le > 65536)) throw new KioskError(ErrorCodes.INTERNAL, `bad Le ${cmd.le}`);
  const header = Buffer.from([cmd.cla, cmd.ins, cmd.p1, cmd.p2]);
  const extended = forceExtended || needsExtended(cmd);
  const parts: Buffer[] = [header];
  if (!extended) {
    if (data.length > 0) parts.push(Buffer.from([data.length]), data);
    if (cmd.le !== undefined) parts.push(Buffer.from([cmd.le & 0xff]));
  } else {
    if (data.length > 0) parts.push(Buffer.from([0, data.length >> 8, data.length & 0xff]), data);
    if (cmd.le !== undefined) {
      const le = cmd.le & 0xffff; // 65536 → 0000
      parts.push(data.length > 0 ? Buffer.from([le >> 8, le & 0xff]) : Buffer.from([0, le >> 8, le & 0xff]));
    }
  }
  return Buffer.concat(parts);
}

export function parseResponse(raw: Buffer): ResponseApdu {
  if (raw.length < 2) {
    throw new KioskError(ErrorCodes.CARD_MALFORMED_RESPONSE, `response of ${raw.length} bytes has no status word`);
  }
  return { data: raw.subarray(0, raw.length - 2), sw: raw.readUInt16BE(raw.length - 2) };
}

/** The command with its data field replaced by a marker when it is sensitive: the only form that may be logged. */
export function redactedHex(cmd: CommandApdu): string {
  const shown: CommandApdu = cmd.sensitive && cmd.data ? { ...cmd, data: Buffer.alloc(0) } : cmd;
  const hex = encodeCommand(shown).toString('hex').toUpperCase();
  return cmd.sensitive && cmd.data ? `${hex} <${cmd.data.length} secret bytes>` : hex;
}
