// What a My Number mode puts on the screen: the holder fields the mode may disclose (never the My
// Number), plus explicit JIS X 0208 renderings when the original has characters outside it; the 券面AP
// images (ResultView.cardFace); the DocumentResultTypes that name each mode's results for receipts, the
// signed API result and the audit record. Also the one log line per substituted field — counts only,
// never the text.
import type { Logger } from '../../../core/log.ts';
import type { DocumentResultType } from '../../result/document-types.ts';
import type { HolderView, ResultView } from '../../result/result-view.ts';
import { substitutionLogLine, type HolderText } from './holder-text.ts';

export interface HolderFields {
  name: HolderText | null;
  address: HolderText | null;
  dateOfBirth: string | null;
  sex: HolderView['sex'];
}

export function holderView(h: HolderFields): HolderView {
  const v: HolderView = { name: h.name?.text ?? null, address: h.address?.text ?? null, dateOfBirth: h.dateOfBirth, sex: h.sex };
  if (h.name && h.name.substitution !== 'none') v.nameJisX0208 = h.name.jisX0208;
  if (h.address && h.address.substitution !== 'none') v.addressJisX0208 = h.address.jisX0208;
  return v;
}

export function logSubstitutions(log: Logger | undefined, context: string, h: Pick<HolderFields, 'name' | 'address'>): void {
  if (!log) return;
  for (const [field, t] of [
    ['name', h.name],
    ['address', h.address],
  ] as const) {
    const line = t && substitutionLogLine(context, field, t);
    if (line) log(line);
  }
}

/** 券面AP images for the clerk (PNG, base64); the face is null when it could not be decoded. */
export interface CardFaceView {
  facePng: string | null;
  faceStatus: 'decoded' | 'not-decoded' | 'absent';
  nameImagePng: string | null;
  addressImagePng: string | null;
}

export type MyNumberFaceResultView = ResultView & { cardFace?: CardFaceView | null };

/** The 券面AP images on a result (null when absent or the result is not a 券面AP result). */
export const cardFaceOf = (r: ResultView): CardFaceView | null => (r.document === 'mynumber-face' && (r as MyNumberFaceResultView).cardFace) || null;

/** One result type per My Number mode (the by-mode handler 'mynumber' answers with the id of the mode it ran). */
export const myNumberResultTypes: readonly DocumentResultType[] = [
  { id: 'mynumber-jpki-auth', documentType: 'my-number-card', method: 'jpki-auth' },
  { id: 'mynumber-sign', documentType: 'my-number-card', method: 'jpki-sign' },
  { id: 'mynumber-info', documentType: 'my-number-card', method: 'pin-and-chip' },
  { id: 'mynumber-face', documentType: 'my-number-card', method: 'pin-and-chip' },
];
