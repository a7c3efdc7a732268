// How the kiosk names and reads a document's results without knowing the document: each document module
// describes its results with a DocumentResultType (its document type and verification method, in the words
// receipts and the integration API use, and the holder data it disclosed), and the document registry
// (daemon/documents/registry.ts, filled at the composition root) registers it here. Receipts, the signed
// API result and the audit record ask this table; none of them — and nothing in daemon/kiosk/ — imports a
// document module, so adding a document touches none of them.
import type { ResultView } from './result-view.ts';

export interface DocumentKind {
  /** 'my-number-card' | 'drivers-licence' | 'residence-card' | 'passport' (or the document id itself). */
  documentType: string;
  /** e.g. 'jpki-auth', 'jpki-sign', 'pin-and-chip', 'chip-passive-auth', 'pace', 'bac'. */
  method: string;
}

/** Name, date of birth and address from whatever the document disclosed (the sealed audit part, the masked receipt name). */
export interface PersonalData {
  name: string | null;
  dateOfBirth: string | null;
  address: string | null;
}

export interface DocumentResultType {
  /** The ResultView.document id this type describes. */
  id: string;
  /** The document type of its receipts and signed results. */
  documentType: string;
  /** The verification method; may depend on the result (e.g. how a passport chip was opened). */
  method: string | ((result: Pick<ResultView, 'document' | 'checks'>) => string);
  /**
   * The holder data the result discloses, from the document's own display view. Absent: only the shared
   * `holder` field (HolderView) is read.
   */
  personalData?: (result: ResultView) => PersonalData | null;
}

const types = new Map<string, DocumentResultType>();

/** Registers a document's result type; returns the unregistration (tests). A second type for one id is a defect. */
export function registerResultType(t: DocumentResultType): () => void {
  if (types.has(t.id)) throw new Error(`document result type '${t.id}' is registered twice`);
  types.set(t.id, t);
  return () => {
    if (types.get(t.id) === t) types.delete(t.id);
  };
}

export function resultTypeOf(document: string | null): DocumentResultType | null {
  return (document !== null && types.get(document)) || null;
}

/**
 * The document type and method behind a result, one answer for the printed receipt, its QR token, the
 * API's signed result and the audit record. A document nobody registered is named by its id, method 'chip'.
 */
export function documentKind(result: Pick<ResultView, 'document' | 'checks'>): DocumentKind {
  const id = result.document ?? 'unknown';
  const t = types.get(id);
  if (!t) return { documentType: id, method: 'chip' };
  return { documentType: t.documentType, method: typeof t.method === 'string' ? t.method : t.method(result) };
}

/** Name, date of birth and address from whatever the document disclosed; null when it disclosed none. */
export function personalDataOf(result: ResultView): PersonalData | null {
  const own = resultTypeOf(result.document)?.personalData?.(result);
  if (own) return own;
  if (result.holder) return { name: result.holder.name, dateOfBirth: result.holder.dateOfBirth, address: result.holder.address };
  return null;
}

/** The holder's name when the document mode disclosed it (for the masked name on the receipt), else null. */
export function holderNameOf(result: ResultView): string | null {
  return personalDataOf(result)?.name || null;
}
