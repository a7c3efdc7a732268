// Every document the kiosk knows, in detection order. A new document module adds one line.
import type { DocumentHandlerFactory, DocumentId } from './document-handler.ts';
import { jpkiAuthHandler } from './mynumber/jpki-auth-flow.ts';

export const DOCUMENTS: ReadonlyMap<DocumentId, DocumentHandlerFactory> = new Map<DocumentId, DocumentHandlerFactory>([
  ['mynumber-jpki-auth', jpkiAuthHandler],
]);
