// `idkiosk read mynumber-face`: the 券面AP images after 照合番号B (14 digits on stdin: date of birth YYMMDD,
// expiry year YYYY, security code — the composition is UNVERIFIED, see check-code-b.ts). The face photo is
// JPEG 2000 on the card and printed as PNG (base64) when a decoder is installed, else faceStatus
// "not-decoded". EF 0005 (the My Number image) is never read; 照合番号A is not offered here.
import { parseArgs } from 'node:util';
import { defaultJp2ToPng } from '../../images/jp2-to-png.ts';
import { assessMyNumberFace, emptyFaceResult, type MyNumberFaceResult } from '../../documents/mynumber/mynumber-face-verdict.ts';
import { CHECK_CODE_B_FORMAT } from '../../documents/mynumber/check-code-b.ts';
import { readVisualAp } from '../../documents/mynumber/visual-ap.ts';
import { wipe } from '../../documents/secrets.ts';
import { ErrorCodes, isKioskError } from '../../errors.ts';
import { withCard } from '../card-access.ts';
import type { CliIO } from '../command.ts';
import { MYNUMBER_REFUSALS, onceFrom, secretFromStdin } from './mynumber-info.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

const usage = `idkiosk read mynumber-face [--reader NAME] [--json]  (照合番号B on stdin)
  マイナンバーカード 券面AP: face photo (PNG), name and address images, date of birth, sex, expiry
  stdin            照合番号B: date of birth YYMMDD + card expiry year YYYY + 4-digit security code (14 digits)
  --reader NAME    PC/SC reader name (default: the first reader holding a card)
  --json           print JSON (the only output format; images as base64 PNG)
`;

const b64 = (b: Buffer | null) => (b ? b.toString('base64') : null);

function printable(r: MyNumberFaceResult) {
  return { ...r, facePng: b64(r.facePng), nameImagePng: b64(r.nameImagePng), addressImagePng: b64(r.addressImagePng) };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { reader: { type: 'string' }, json: { type: 'boolean', default: true } }, strict: true });
  const code = await secretFromStdin(io, CHECK_CODE_B_FORMAT, '照合番号B (14 digits)');
  let result: MyNumberFaceResult;
  try {
    result = await withCard({ reader: values.reader }, async (session) =>
      assessMyNumberFace(await readVisualAp(session, { prompt: onceFrom(code), attempts: 1 }), defaultJp2ToPng()),
    );
  } catch (e) {
    if (!isKioskError(e) || !MYNUMBER_REFUSALS.has(e.code)) throw e;
    result = emptyFaceResult();
    result.reasons.push({ code: e.code, message: e.message });
    if (typeof e.detail.triesLeft === 'number') {
      if (e.code === ErrorCodes.PIN_WRONG) result.triesLeft = e.detail.triesLeft;
      else result.triesBefore = e.detail.triesLeft;
    }
  } finally {
    wipe(code);
  }
  io.stdout(JSON.stringify(printable(result)) + '\n');
  return result.verdict === 'verified' ? 0 : 1;
}

export const myNumberFaceRead: ReadSubcommand = { name: 'mynumber-face', summary: 'マイナンバーカード 券面AP images (照合番号B)', usage, run };
