// The one registry of documents, in detection order (the zigbee-herdsman adapter table): each document
// module contributes its handler factory (how to detect and run it on a card) and the result types of the
// results it produces (how receipts, the signed API result and the audit record name them). The built-in
// documents are registered here; the composition root (daemon/app.ts) picks the configured ones by id.
// Adding a document: its module under daemon/documents/<document>/ (handler, flow, …-view.ts with its
// display view and DocumentResultType), one entry below, its screen texts and result details in ui/ —
// nothing under daemon/kiosk/ (test/unit/kiosk/document-registry.test.ts shows it).
//
// The flows load lazily (lazyHandler): a handler is created at start, but its flow module — the document's
// protocol code with its ASN.1, CMS and EC packages, about half of the daemon's code — loads when the
// handler is first used or prepared (the daemon prepares them right after READY). A daemon start then
// pays only for what READY needs (issue 20, docs/performance.md). The result types stay static: receipts,
// the API and the audit trail name results without loading a flow.
import { registerResultType, type DocumentResultType } from '../result/document-types.ts';
import type { DocumentHandler, DocumentHandlerFactory, DocumentId } from './document-handler.ts';
import { passportResultType } from './passport/passport-view.ts';
import { MYNUMBER_DOCUMENT_BY_MODE } from './mynumber/mynumber-config.ts';
import { myNumberResultTypes } from './mynumber/mynumber-view.ts';
import { licenseResultType } from './license/license-view.ts';
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

/**
 * A handler factory whose flow module is imported on first use: detect, run or prepare wait for the
 * import, then build the real handler with the same environment (once per handler). The id is known
 * without the module. A module that fails to load fails every detect/run (the session ends in an error,
 * never in a verdict) and prepare, which the daemon logs.
 */
export function lazyHandler(
  id: DocumentId | ((env: Parameters<DocumentHandlerFactory>[0]) => DocumentId),
  load: () => Promise<DocumentHandlerFactory>,
): DocumentHandlerFactory {
  return (env) => {
    let real: Promise<DocumentHandler> | undefined;
    const handler = () => (real ??= load().then((factory) => factory(env)));
    return {
      id: typeof id === 'function' ? id(env) : id,
      detect: async (session) => (await handler()).detect(session),
      run: async (ctx) => (await handler()).run(ctx),
      prepare: async () => {
        await handler();
      },
    };
  };
}

const myNumberResult = (id: string) => myNumberResultTypes.filter((t) => t.id === id);

export const BUILT_IN_DOCUMENTS: readonly DocumentDefinition[] = [
  {
    id: 'mynumber-jpki-auth',
    handler: lazyHandler('mynumber-jpki-auth', async () => (await import('./mynumber/jpki-auth-flow.ts')).jpkiAuthHandler),
    results: myNumberResult('mynumber-jpki-auth'),
  },
  {
    id: 'mynumber',
    handler: lazyHandler(
      (env) => MYNUMBER_DOCUMENT_BY_MODE[env.mynumber?.mode ?? 'auth'],
      async () => (await import('./mynumber/mynumber-mode.ts')).myNumberByModeHandler,
    ),
    results: [],
  },
  {
    id: 'mynumber-info',
    handler: lazyHandler('mynumber-info', async () => (await import('./mynumber/mynumber-info-flow.ts')).myNumberInfoHandler),
    results: myNumberResult('mynumber-info'),
  },
  {
    id: 'mynumber-sign',
    handler: lazyHandler('mynumber-sign', async () => (await import('./mynumber/jpki-sign-flow.ts')).jpkiSignHandler),
    results: myNumberResult('mynumber-sign'),
  },
  {
    id: 'mynumber-face',
    handler: lazyHandler('mynumber-face', async () => (await import('./mynumber/mynumber-face-flow.ts')).myNumberFaceHandler),
    results: myNumberResult('mynumber-face'),
  },
  { id: 'license', handler: lazyHandler('license', async () => (await import('./license/license-flow.ts')).licenseHandler), results: [licenseResultType] },
  {
    id: 'passport',
    handler: lazyHandler('passport', async () => (await import('./passport/passport-flow.ts')).passportHandler),
    results: [passportResultType],
  },
  {
    id: 'residence',
    handler: lazyHandler('residence', async () => (await import('./residence/residence-flow.ts')).residenceHandler),
    results: [residenceResultType],
  },
];

for (const d of BUILT_IN_DOCUMENTS) registerDocument(d);
