// Document id 'mynumber': the マイナンバーカード check chosen by the deployment's config (mynumber.mode).
// The concrete handlers keep their own ids, so a configuration may also list them directly.
import type { DocumentHandlerFactory } from '../document-handler.ts';
import { jpkiAuthHandler } from './jpki-auth-flow.ts';
import { jpkiSignHandler } from './jpki-sign-flow.ts';
import type { MyNumberMode } from './mynumber-config.ts';
import { myNumberFaceHandler } from './mynumber-face-flow.ts';
import { myNumberInfoHandler } from './mynumber-info-flow.ts';

export const MYNUMBER_HANDLER_BY_MODE: Readonly<Record<MyNumberMode, DocumentHandlerFactory>> = {
  auth: jpkiAuthHandler,
  info: myNumberInfoHandler,
  sign: jpkiSignHandler,
  face: myNumberFaceHandler,
};

export const myNumberByModeHandler: DocumentHandlerFactory = (env) => MYNUMBER_HANDLER_BY_MODE[env.mynumber?.mode ?? 'auth'](env);
