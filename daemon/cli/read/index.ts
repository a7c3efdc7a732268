// Documents of `idkiosk read`. A new document adds one entry.
import { jpkiAuthRead } from './jpki-auth.ts';
import { jpkiSignRead } from './jpki-sign.ts';
import { myNumberFaceRead } from './mynumber-face.ts';
import { myNumberInfoRead } from './mynumber-info.ts';
import { licenseRead } from './license.ts';
import { passportRead } from './passport.ts';
import type { ReadSubcommand } from './read-subcommand.ts';
import { residenceRead } from './residence.ts';

export const READ_SUBCOMMANDS: readonly ReadSubcommand[] = [
  jpkiAuthRead,
  myNumberInfoRead,
  jpkiSignRead,
  myNumberFaceRead,
  licenseRead,
  passportRead,
  residenceRead,
];
