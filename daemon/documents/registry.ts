// Every document the kiosk knows, in detection order. A new document module adds one line.
import type { DocumentHandlerFactory, DocumentId } from './document-handler.ts';
import { passportHandler } from './passport/passport-flow.ts';
import { jpkiAuthHandler } from './mynumber/jpki-auth-flow.ts';
import { jpkiSignHandler } from './mynumber/jpki-sign-flow.ts';
import { myNumberFaceHandler } from './mynumber/mynumber-face-flow.ts';
import { myNumberInfoHandler } from './mynumber/mynumber-info-flow.ts';
import { myNumberByModeHandler } from './mynumber/mynumber-mode.ts';
import { licenseHandler } from './license/license-flow.ts';
import { residenceHandler } from './residence/residence-flow.ts';

export const DOCUMENTS: ReadonlyMap<DocumentId, DocumentHandlerFactory> = new Map<DocumentId, DocumentHandlerFactory>([
  ['mynumber-jpki-auth', jpkiAuthHandler],
  ['mynumber', myNumberByModeHandler],
  ['mynumber-info', myNumberInfoHandler],
  ['mynumber-sign', jpkiSignHandler],
  ['mynumber-face', myNumberFaceHandler],
  ['license', licenseHandler],
  ['passport', passportHandler],
  ['residence', residenceHandler],
]);
