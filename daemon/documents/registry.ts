// The one registry of documents, in detection order (the zigbee-herdsman adapter table): each document
// module contributes its handler factory (how to detect and run it on a card) and the result types of the
// results it produces (how receipts, the signed API result and the audit record name them). The built-in
// documents are registered here; the composition root (daemon/app.ts) picks the configured ones by id.
// Adding a document: its module under daemon/documents/<document>/ (handler, flow, …-view.ts with its
// display view and DocumentResultType), one entry below, its screen texts and result details in ui/ —
// nothing under daemon/kiosk/ (test/unit/kiosk/document-registry.test.ts shows it).
import { registerResultType, type DocumentResultType } from '../result/document-types.ts';
import type { DocumentHandlerFactory, DocumentId } from './document-handler.ts';
import { passportHandler } from './passport/passport-flow.ts';
import { passportResultType } from './passport/passport-view.ts';
import { jpkiAuthHandler } from './mynumber/jpki-auth-flow.ts';
import { jpkiSignHandler } from './mynumber/jpki-sign-flow.ts';
import { myNumberFaceHandler } from './mynumber/mynumber-face-flow.ts';
import { myNumberInfoHandler } from './mynumber/mynumber-info-flow.ts';
import { myNumberByModeHandler } from './mynumber/mynumber-mode.ts';
import { myNumberResultTypes } from './mynumber/mynumber-view.ts';
import { licenseHandler } from './license/license-flow.ts';
import { licenseResultType } from './license/license-view.ts';
import { residenceHandler } from './residence/residence-flow.ts';
import { residenceResultType } from './residence/residence-view.ts';

export interface DocumentDefinition {
  /** The id configuration, policies and API requests name (config `documents`). */
  id: DocumentId;
  handler: DocumentHandlerFactory;
  /**
   * The result types of the results this handler produces: usually one with the handler's id; none for a
   * dispatcher whose results carry the id of the document it ran (the by-mode 'mynumber').
   */
  results: readonly DocumentResultType[];
}

const handlers = new Map<DocumentId, DocumentHandlerFactory>();

/** Handler factories by document id, in registration (= detection) order. */
export const DOCUMENTS: ReadonlyMap<DocumentId, DocumentHandlerFactory> = handlers;

/** Registers a document; returns the unregistration (tests). An id registered twice is a defect. */
export function registerDocument(d: DocumentDefinition): () => void {
  if (handlers.has(d.id)) throw new Error(`document '${d.id}' is registered twice`);
  const offResults = d.results.map((t) => registerResultType(t));
  handlers.set(d.id, d.handler);
  return () => {
    if (handlers.get(d.id) === d.handler) handlers.delete(d.id);
    for (const off of offResults) off();
  };
}

const myNumberResult = (id: string) => myNumberResultTypes.filter((t) => t.id === id);

export const BUILT_IN_DOCUMENTS: readonly DocumentDefinition[] = [
  { id: 'mynumber-jpki-auth', handler: jpkiAuthHandler, results: myNumberResult('mynumber-jpki-auth') },
  { id: 'mynumber', handler: myNumberByModeHandler, results: [] },
  { id: 'mynumber-info', handler: myNumberInfoHandler, results: myNumberResult('mynumber-info') },
  { id: 'mynumber-sign', handler: jpkiSignHandler, results: myNumberResult('mynumber-sign') },
  { id: 'mynumber-face', handler: myNumberFaceHandler, results: myNumberResult('mynumber-face') },
  { id: 'license', handler: licenseHandler, results: [licenseResultType] },
  { id: 'passport', handler: passportHandler, results: [passportResultType] },
  { id: 'residence', handler: residenceHandler, results: [residenceResultType] },
];

for (const d of BUILT_IN_DOCUMENTS) registerDocument(d);
