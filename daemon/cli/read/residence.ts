// `idkiosk read residence`: 在留カード / 特別永住者証明書 on the card in a PC/SC reader.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CARD_NUMBER_FORMAT } from '../../documents/residence/constants.ts';
import { toolImageConverter, type ImageConverter, type ImageFormat } from '../../images/tool-converter.ts';
import { readResidence } from '../../documents/residence/read-residence.ts';
import { assessResidence, type ResidenceImages } from '../../documents/residence/residence-verdict.ts';
import { secretMatchesFormat, wipe } from '../../documents/secrets.ts';
import { ErrorCodes, KioskError, isKioskError } from '../../../core/errors.ts';
import { TrustStore } from '../../trust/trust-store.ts';
import { withCard } from '../card-access.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';

const usage = `idkiosk read residence --card-number-stdin [--trust CA.pem] [--reader NAME] [--images DIR] [--no-extended] [--json]
  在留カード / 特別永住者証明書 (1st and 2nd generation): card-number access control, secure-messaging
  reads, issuer signature, certificate chain, card and period-of-stay expiry
  --card-number-stdin  read the 12-character card number (AA12345678BB form) from standard input (required)
  --trust FILE         Immigration Services Agency CA certificate(s) (PEM or DER); repeatable. Without it
                       the data cannot be proven: verdict chip-read (checks certificate-chain: no-configured-anchor)
  JSON: verdict verified|chip-read|refused, authenticity proven|chip-read|failed, holderBinding
  printed-number-only, checks, kind (proven from signed data, else "unproven") and claimedKind (card type byte)
  --reader NAME        PC/SC reader name (default: the first reader holding a card)
  --images DIR         write the card images decoded to PNG (face, front/name) into DIR (personal data!)
  --no-extended        never send extended APDUs (read in short chunks)
  --json               print JSON (the only output format; accepted for clarity)
`;

const REFUSALS = new Set<string>([ErrorCodes.RESIDENCE_CARD_NUMBER_WRONG, ErrorCodes.RESIDENCE_CARD_TYPE_UNSUPPORTED, ErrorCodes.CARD_UNSUPPORTED]);

async function readCardNumber(io: CliIO): Promise<Buffer> {
  const text = await io.readStdin();
  const n = Buffer.from(text.replace(/\r?\n$/, '').toUpperCase(), 'latin1');
  if (!secretMatchesFormat(n, CARD_NUMBER_FORMAT)) {
    wipe(n);
    throw new KioskError(ErrorCodes.PIN_FORMAT, 'the card number on stdin must be 2 letters, 8 digits, 2 letters (nothing was sent to the card)');
  }
  return n;
}

/**
 * Decodes and writes the card images, only for a verified card: images of a refused or unproven card never
 * reach the native decoders (opj_decompress, tifftopnm) — issue 17. The converter is injectable for tests.
 */
export async function writeImages(
  dir: string,
  images: ResidenceImages,
  verdict: string,
  conv: ImageConverter = toolImageConverter(),
): Promise<Record<string, string>> {
  if (verdict !== 'verified') return { all: 'images not decoded (the card is not verified)' };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const out: Record<string, string> = {};
  const todo: Array<[string, ImageFormat, Buffer | undefined]> = [
    ['face', 'jpeg2000', images.face],
    ['front', 'tiff-g4', images.frontImage],
    ['name', 'tiff-g4', images.nameImage],
  ];
  for (const [name, format, data] of todo) {
    if (!data) continue;
    const r = await conv.toPng(format, data);
    if (r.status === 'decoded') {
      const file = join(dir, `${name}.png`);
      writeFileSync(file, r.png, { mode: 0o600 });
      out[name] = `decoded ${r.width}x${r.height} → ${file}`;
    } else out[name] = `image not decoded (${r.reason})`;
  }
  return out;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'card-number-stdin': { type: 'boolean', default: false },
      trust: { type: 'string', multiple: true },
      reader: { type: 'string' },
      images: { type: 'string' },
      'no-extended': { type: 'boolean', default: false },
      json: { type: 'boolean', default: true },
    },
    strict: true,
  });
  if (!values['card-number-stdin'])
    throw new KioskError(ErrorCodes.USAGE, '--card-number-stdin is required (the card number is never taken from the command line)');
  const trust = values.trust?.length ? TrustStore.fromFiles(values.trust) : new TrustStore([]);
  const cardNumber = await readCardNumber(io);
  let printable: object;
  let verified = false;
  try {
    const { result, images } = await withCard({ reader: values.reader }, async (session) => {
      let asked = false;
      const evidence = await readResidence(session, {
        extended: values['no-extended'] ? 'never' : 'auto',
        prompt: async () => {
          if (asked) throw new KioskError(ErrorCodes.INTERNAL, 'card number asked twice');
          asked = true;
          return Buffer.from(cardNumber); // readResidence wipes its copy
        },
      });
      return assessResidence(evidence, { trust, at: new Date() });
    });
    verified = result.verdict === 'verified';
    const imageReport = values.images && images ? await writeImages(values.images, images, result.verdict) : undefined;
    printable = { ...result, ...(imageReport ? { images: imageReport } : {}) };
  } catch (e) {
    if (!isKioskError(e) || !REFUSALS.has(e.code)) throw e;
    printable = {
      document: 'residence',
      verdict: 'refused',
      authenticity: null,
      holderBinding: 'printed-number-only',
      reasons: [{ code: e.code, message: e.message }],
    };
  } finally {
    wipe(cardNumber);
  }
  io.stdout(JSON.stringify(printable) + '\n');
  return verified ? 0 : 1;
}

export const residenceRead: ReadSubcommand = { name: 'residence', summary: '在留カード / 特別永住者証明書 (both generations)', usage, run };
