// The reusable card OS the document emulators build on.
export { parseCommandApdu, encodeCommandApdu, type CommandApdu, type ParseResult } from './apdu.ts';
export { ApduLog, describeEntry, type ApduLogEntry } from './apdu-log.ts';
export { Iso7816Card, type CommandHandler, type Iso7816CardOptions } from './card-os.ts';
export {
  addDf,
  addEf,
  afterVerify,
  ALWAYS,
  NEVER,
  createMf,
  type AccessRule,
  type DedicatedFile,
  type ElementaryFile,
  type KeyEf,
  type PinEf,
  type TransparentEf,
} from './files.ts';
export { PinObject, type PinOptions, type VerifyOutcome } from './pin.ts';
export { SW, moreData, rapdu, swHex, triesLeft, wrongLe } from './status.ts';
export type { CardResponse, TransportQuirks } from './transport.ts';
