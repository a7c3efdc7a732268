// `idkiosk read mynumber-face`: the 券面AP images after 照合番号B (14 digits on stdin: era date of birth YYMMDD,
// expiry year YYYY, security code — see check-code-b.ts and docs/reference/mynumber.md). The face photo is
// JPEG 2000 on the card and printed as PNG (base64) when a decoder is installed, else faceStatus
// "not-decoded". EF 0005 (the My Number image) is never read; 照合番号A is not offered here.
import { flags, strings } from '../../../core/cli-options.ts';
import { defaultJp2ToPng } from '../../images/jp2-to-png.ts';
import { assessMyNumberFace, emptyFaceResult, type MyNumberFaceResult } from '../../documents/mynumber/mynumber-face-verdict.ts';
import { CHECK_CODE_B_FORMAT, CHECK_CODE_B_GUIDANCE, checkCodeBPlausible } from '../../documents/mynumber/check-code-b.ts';
import { readVisualAp } from '../../documents/mynumber/visual-ap.ts';
import { wipe } from '../../documents/secrets.ts';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import { cliCvAnchors, MYNUMBER_REFUSALS } from './mynumber-info.ts';
import { onceFrom, parseReadArgs, runCardRead, secretFromStdin } from './read-runner.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

const usage = `idkiosk read mynumber-face [--reader NAME] [--test-cards] [--cv-ca FILE] [--json]  (照合番号B on stdin)
  マイナンバーカード 券面AP: face photo (PNG), name and address images, date of birth, sex, expiry
  stdin            照合番号B (14 digits): date of birth with the JAPANESE ERA year YYMMDD (550217 for
                   昭和55年2月17日 = 1980-02-17), card expiry year YYYY, 4-digit security code.
                   A Gregorian birth year that no era reaches (e.g. 800217) is refused before the card.
  --reader NAME    PC/SC reader name (default: the first reader holding a card)
  --test-cards     also accept JPKI test-hierarchy CA keys (test cards only; never for real holders)
  --cv-ca FILE     extra CV CA key(s), JSON as written by 'idkiosk sim mynumber --cv-ca-out'
  --json           print JSON (the only output format; images as base64 PNG)
`;

const b64 = (b: Buffer | null) => (b ? b.toString('base64') : null);

function printable(r: MyNumberFaceResult) {
  return { ...r, facePng: b64(r.facePng), nameImagePng: b64(r.nameImagePng), addressImagePng: b64(r.addressImagePng) };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseReadArgs(argv, { ...flags('test-cards'), ...strings('cv-ca') });
  const anchors = cliCvAnchors(values);
  const code = await secretFromStdin(io, CHECK_CODE_B_FORMAT, '照合番号B (14 digits)');
  if (!checkCodeBPlausible(code)) {
    wipe(code);
    throw new KioskError(ErrorCodes.PIN_FORMAT, CHECK_CODE_B_GUIDANCE);
  }
  return runCardRead(io, {
    reader: values.reader,
    refusals: MYNUMBER_REFUSALS,
    secrets: [code],
    read: async (session) => assessMyNumberFace(await readVisualAp(session, { prompt: onceFrom(code), attempts: 1 }), defaultJp2ToPng(), anchors),
    refused: () => printable(emptyFaceResult()),
    printable,
  });
}

export const myNumberFaceRead: ReadSubcommand = { name: 'mynumber-face', summary: 'マイナンバーカード 券面AP images (照合番号B)', usage, run };
