// Reads a residence card end to end: card type → card-number prompt → access control → DF1 (secure
// messaging), DF2 and DF3 (plain). Returns raw evidence; residence-verdict.ts decides what it proves.
import { at } from '../../../core/checked.ts';
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { ErrorCodes, isKioskError, KioskError } from '../../../core/errors.ts';
import type { ReadStep } from '../../kiosk/session-machine.ts';
import type { FormRequest } from '../../kiosk/entry-fields.ts';
import { secretMatchesFormat, wipe, type SecretPrompt } from '../secrets.ts';
import { suiteFor } from './access-crypto.ts';
import {
  authenticateWithCardNumber,
  plainReadFile,
  readCardType,
  ReadMode,
  selectDf,
  smReadFile,
  type AccessTestHooks,
  type CardTypeInfo,
} from './card-access.ts';
import { CARD_NUMBER_FORMAT, GEN1_SFI, GEN2_SFI, RESIDENCE_AID, type Generation, type ResidenceKind } from './constants.ts';

export interface ResidenceEvidence {
  generation: Generation;
  cardType: string;
  /** What the card type byte claims — NOT covered by the issuer signature (residence-verdict.ts decides the kind). */
  claimedKind: ResidenceKind;
  specVersion: string | null;
  /** Decrypted DF1 files by SFI. */
  df1: Map<number, Buffer>;
  /** DF2 files by SFI (absent files are simply missing). */
  df2: Map<number, Buffer>;
  /** The DF3 check-code file (DF3/EF01 at SFI 02 on both generations). */
  df3: Buffer;
  /** Whether the DF1/DF2/DF3 reads went through extended APDUs (false = short chunks). */
  extendedApdus: boolean;
}

export interface ReadResidenceOptions {
  prompt: SecretPrompt;
  /**
   * The kiosk's entry form (FlowContext.form): review before the card is used, and a number the card
   * refuses is corrected in place, up to `accessAttempts` in all. The card number has no published retry
   * counter (docs/reference/residence.md) and the virtual card keeps none.
   */
  form?: (request: FormRequest) => Promise<Buffer[]>;
  /** Card numbers tried per session with the entry form. Default 3. */
  accessAttempts?: number;
  progress?: (step: ReadStep) => void;
  /** Extended-APDU use (default auto: try, then fall back to chunks). */
  extended?: 'auto' | 'never' | 'always';
  /** Test hook: fixed host randomness (the official example). */
  hooks?: AccessTestHooks;
  /** Card type already read by detection (saves the MF reads). */
  cardType?: CardTypeInfo;
}

export function unsupportedTypeError(t: Extract<CardTypeInfo, { supported: false }>): KioskError {
  return new KioskError(
    ErrorCodes.RESIDENCE_CARD_TYPE_UNSUPPORTED,
    t.specified
      ? `card type ${t.cardType}: a residence card integrated with the My Number card (特定在留カード等) is not supported by this kiosk`
      : `card type ${t.cardType} is not a known residence card type`,
    { cardType: t.cardType },
  );
}

async function optionalPlain(session: CardSession, mode: ReadMode, sfi: number, what: string): Promise<Buffer | null> {
  try {
    return await plainReadFile(session, mode, sfi, what);
  } catch (e) {
    if (e instanceof KioskError && e.code === ErrorCodes.CARD_FILE_NOT_FOUND) return null;
    throw e;
  }
}

/** Ask for the card number and check it locally; the returned Buffer is the caller's to wipe. */
async function askCardNumber(o: ReadResidenceOptions, mismatch: { attempt: number; max: number } | null): Promise<Buffer> {
  const raw = o.form
    ? at(await o.form({ fields: [{ purpose: 'residence-card-number', format: CARD_NUMBER_FORMAT }], mismatch }), 0, ErrorCodes.INTERNAL, 'entry form')
    : await o.prompt({ purpose: 'residence-card-number', format: CARD_NUMBER_FORMAT, triesLeft: null, maxTries: null, previousAttemptWrong: false });
  // Lower-case letters are upper-cased first (the printed number is upper case), in place: no string copy of the number.
  for (const [i, b] of raw.entries()) if (b >= 0x61 && b <= 0x7a) raw[i] = b - 0x20;
  if (!secretMatchesFormat(raw, CARD_NUMBER_FORMAT)) {
    wipe(raw);
    throw new KioskError(ErrorCodes.PIN_FORMAT, 'the residence card number must be 2 letters, 8 digits, 2 letters (nothing was sent to the card)');
  }
  return raw;
}

export async function readResidence(session: CardSession, o: ReadResidenceOptions): Promise<ResidenceEvidence> {
  o.progress?.('identify');
  const type = o.cardType ?? (await readCardType(session));
  if (!type) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'not a residence card (no card type in MF/EF02)');
  if (!type.supported) throw unsupportedTypeError(type);

  const suite = suiteFor(type.generation);
  const max = o.form ? Math.max(1, o.accessAttempts ?? 3) : 1;
  let access: Awaited<ReturnType<typeof authenticateWithCardNumber>> | undefined;
  for (let attempt = 1; !access; attempt++) {
    const cardNumber = await askCardNumber(o, attempt > 1 ? { attempt, max } : null);
    o.progress?.('pin');
    try {
      access = await authenticateWithCardNumber(session, suite, cardNumber, o.hooks);
    } catch (e) {
      // A typo: the same card, still on the reader, gets the corrected number (no counter to run down).
      if (!isKioskError(e, ErrorCodes.RESIDENCE_CARD_NUMBER_WRONG) || attempt >= max) throw e;
    } finally {
      wipe(cardNumber);
    }
  }

  try {
    o.progress?.('read-certificate');
    const mode = new ReadMode({ extended: o.extended });
    const df1 = new Map<number, Buffer>();
    const df2 = new Map<number, Buffer>();
    await selectDf(session, RESIDENCE_AID.DF1, 'DF1');
    const df1Files = type.generation === 1 ? [GEN1_SFI.df1Front, GEN1_SFI.df1Face] : [GEN2_SFI.df1Printed, GEN2_SFI.df1NameFace];
    for (const sfi of df1Files) df1.set(sfi, await smReadFile(session, access, mode, sfi, `DF1/SFI ${sfi}`));

    await selectDf(session, RESIDENCE_AID.DF2, 'DF2');
    const df2Files =
      type.generation === 1
        ? [GEN1_SFI.df2Address, GEN1_SFI.df2Comprehensive, GEN1_SFI.df2Individual, GEN1_SFI.df2Renewal]
        : [GEN2_SFI.df2Permission, GEN2_SFI.df2Renewal];
    for (const sfi of df2Files) {
      const data = await optionalPlain(session, mode, sfi, `DF2/SFI ${sfi}`);
      if (data) df2.set(sfi, data);
    }

    await selectDf(session, RESIDENCE_AID.DF3, 'DF3');
    const df3 = await plainReadFile(session, mode, type.generation === 1 ? GEN1_SFI.df3CheckCode : GEN2_SFI.df3CheckCode, 'DF3 check code');
    return {
      generation: type.generation,
      cardType: type.cardType,
      claimedKind: type.kind,
      specVersion: type.specVersion,
      df1,
      df2,
      df3,
      extendedApdus: mode.extended !== false,
    };
  } finally {
    access.close();
  }
}
