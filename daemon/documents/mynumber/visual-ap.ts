// 券面AP (券面事項確認AP, visual AP) on the マイナンバーカード (docs/reference/mynumber.md §1, §6): SELECT the AP, VERIFY
// 照合番号B (EF 0012) under the PIN-safety policy, read EF 0002 (face photo, name and address images,
// date of birth, sex, expiry). EF 0005 holds the My Number as an image and is never selected — there is
// no code path to it, and selectVisualEf refuses it even if one were added.
//
// 照合番号A (EF 0013) is the My Number itself. It is used only when the deployment has a permission (config
// myNumberAllowed + legalBasis): then the number is read from the text AP after its PIN, presented once,
// and wiped; it is never shown, logged or returned.
import type { CardSession } from '../../../drivers/reader/card-session.ts';
import { statusError } from '../../../drivers/reader/card-session.ts';
import { SW_OK } from '../../../drivers/reader/apdu.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { verifyWithPolicy } from '../pin-verify.ts';
import { wipe, type SecretPrompt, type SecretRequest } from '../secrets.ts';
import { challengeCard, type CardChallenge } from './card-challenge.ts';
import { CHECK_CODE_B_FORMAT, CHECK_CODE_B_GUIDANCE, checkCodeBPlausible } from './check-code-b.ts';
import { readMyNumberForCheckCodeA, readOptionalEf, unlockTextAp, type MyNumberPermission, type MyNumberStep } from './text-ap.ts';

export const VISUAL_AP_AID = Buffer.from('D3921000310001010402', 'hex');
export const VISUAL_EF = {
  dateOfBirth: 0x0001,
  face: 0x0002,
  apInfo: 0x0003,
  cvCertificate: 0x0004,
  myNumberImage: 0x0005,
  checkCodeB: 0x0012,
  checkCodeA: 0x0013,
} as const;

export interface VisualApEvidence {
  faceEf: Buffer;
  /** EF 0004, the AP's CV certificate (readable without 照合番号), or null when the card does not give it. */
  cvCertificateEf: Buffer | null;
  /** The card's answer to a fresh challenge, checked against DF24 (card-challenge.ts). */
  challenge: CardChallenge | null;
  unlockedWith: 'check-code-b' | 'check-code-a';
  triesBefore: number;
}

export interface VisualApOptions {
  prompt: SecretPrompt;
  progress?: (step: MyNumberStep) => void;
  attempts?: number;
  /** Use 照合番号A (from the text AP, after its PIN) instead of B. Only with a configured legal basis. */
  checkCodeA?: MyNumberPermission | null;
}

export async function hasVisualAp(session: CardSession): Promise<boolean> {
  return (await session.selectAid(VISUAL_AP_AID)) === SW_OK;
}

/** SELECT EF in the visual AP; EF 0005 (My Number image) never. */
export async function selectVisualEf(session: CardSession, fid: number): Promise<number> {
  if (fid === VISUAL_EF.myNumberImage) {
    throw new KioskError(ErrorCodes.MYNUMBER_NOT_ALLOWED, 'the visual AP’s My Number image EF is never selected');
  }
  return session.selectEf(fid);
}

async function selectOk(session: CardSession, fid: number, what: string): Promise<void> {
  const sw = await selectVisualEf(session, fid);
  if (sw !== SW_OK) throw statusError(sw, `select ${what}`);
}

/** The holder's prompt, with the 照合番号B composition checked locally before anything reaches the card. */
function checkCodeBPrompt(prompt: SecretPrompt): SecretPrompt {
  return async (req: SecretRequest) => {
    const b = await prompt(req);
    if (!checkCodeBPlausible(b)) {
      wipe(b);
      // Named as the 券面AP so the screen gives 照合番号B guidance (era birth date), not the generic PIN text.
      throw new KioskError(ErrorCodes.PIN_FORMAT, CHECK_CODE_B_GUIDANCE, { document: 'mynumber-face' });
    }
    return b;
  };
}

export async function readVisualAp(session: CardSession, o: VisualApOptions): Promise<VisualApEvidence> {
  o.progress?.('identify');
  let triesBefore: number;
  let unlockedWith: VisualApEvidence['unlockedWith'];
  if (o.checkCodeA) {
    const permission = o.checkCodeA;
    await unlockTextAp(session, { prompt: o.prompt, progress: o.progress, pinAttempts: o.attempts });
    let number: Buffer | null = await readMyNumberForCheckCodeA(session, permission);
    try {
      if (!(await hasVisualAp(session))) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'no 券面AP on this card');
      ({ triesBefore } = await verifyWithPolicy(session, {
        purpose: 'mynumber-text-pin', // never shown: the prompt below answers from the card, not the keypad
        format: { kind: 'digits', min: 12, max: 12 },
        maxTries: null,
        p2: 0x80,
        selectPin: () => selectOk(session, VISUAL_EF.checkCodeA, '照合番号A'),
        prompt: async () => {
          if (!number) throw new KioskError(ErrorCodes.INTERNAL, '照合番号A asked twice');
          const n = number;
          number = null;
          return n; // verifyWithPolicy wipes it right after the VERIFY
        },
        maxAttempts: 1,
        what: '照合番号A',
      }));
    } finally {
      wipe(number);
    }
    unlockedWith = 'check-code-a';
  } else {
    if (!(await hasVisualAp(session))) throw new KioskError(ErrorCodes.CARD_UNSUPPORTED, 'no 券面AP on this card');
    o.progress?.('pin');
    ({ triesBefore } = await verifyWithPolicy(session, {
      purpose: 'mynumber-check-code-b',
      format: CHECK_CODE_B_FORMAT,
      maxTries: null, // not published (docs/reference/mynumber.md §2)
      p2: 0x80,
      selectPin: () => selectOk(session, VISUAL_EF.checkCodeB, '照合番号B'),
      prompt: checkCodeBPrompt(o.prompt),
      maxAttempts: o.attempts,
      what: '照合番号B',
    }));
    unlockedWith = 'check-code-b';
  }
  o.progress?.('read-images');
  await selectOk(session, VISUAL_EF.face, 'card face (EF 0002)');
  const faceEf = await session.readTlvFile('card face (EF 0002)');
  const cvCertificateEf = await readOptionalEf(session, () => selectVisualEf(session, VISUAL_EF.cvCertificate), 'CV certificate (EF 0004)');
  const challenge = await challengeCard(session);
  return { faceEf, cvCertificateEf, challenge, unlockedWith, triesBefore };
}
