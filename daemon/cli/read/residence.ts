// `idkiosk read residence`: 在留カード / 特別永住者証明書 on the card in a PC/SC reader.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flags, lists, strings } from '../../../core/cli-options.ts';
import { CARD_NUMBER_FORMAT } from '../../documents/residence/constants.ts';
import { toolImageConverter, type ImageConverter, type ImageFormat } from '../../images/tool-converter.ts';
import { readResidence } from '../../documents/residence/read-residence.ts';
import { assessResidence, type ResidenceImages } from '../../documents/residence/residence-verdict.ts';
import { ErrorCodes } from '../../../core/errors.ts';
import { TrustStore } from '../../trust/trust-store.ts';
import type { CliIO } from '../../../core/cli-io.ts';
import type { ReadSubcommand } from './read-subcommand.ts';
import { onceFrom, parseReadArgs, runCardRead, secretFromStdin } from './read-runner.ts';

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

const REFUSALS = [ErrorCodes.RESIDENCE_CARD_NUMBER_WRONG, ErrorCodes.RESIDENCE_CARD_TYPE_UNSUPPORTED, ErrorCodes.CARD_UNSUPPORTED];

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
  const cl = parseReadArgs(argv, { ...flags('card-number-stdin', 'no-extended'), ...lists('trust'), ...strings('images') });
  const { values } = cl;
  cl.require('card-number-stdin', '--card-number-stdin is required (the card number is never taken from the command line)');
  const trust = TrustStore.fromFiles(values.trust ?? []);
  const cardNumber = await secretFromStdin(io, CARD_NUMBER_FORMAT, 'card number', {
    transform: (s) => s.toUpperCase(),
    message: 'the card number on stdin must be 2 letters, 8 digits, 2 letters (nothing was sent to the card)',
  });
  return runCardRead(io, {
    reader: values.reader,
    refusals: REFUSALS,
    secrets: [cardNumber],
    async read(session) {
      const evidence = await readResidence(session, { extended: values['no-extended'] ? 'never' : 'auto', prompt: onceFrom(cardNumber, 'card number') });
      return assessResidence(evidence, { trust, at: new Date() });
    },
    refused: () => ({ document: 'residence', authenticity: null, holderBinding: 'printed-number-only' }),
    async printable({ result, images }) {
      const imageReport = values.images && images ? await writeImages(values.images, images, result.verdict) : undefined;
      return { ...result, ...(imageReport ? { images: imageReport } : {}) };
    },
  });
}

export const residenceRead: ReadSubcommand = { name: 'residence', summary: '在留カード / 特別永住者証明書 (both generations)', usage, run };
