// The passport's result as the kiosk sees it: the shared ResultView (the holder's name, when disclosed,
// in ResultView.holder) and the DocumentResultType that names its results for receipts, the signed API
// result and the audit record — with the access protocol the chip was opened by as the method.
import type { DocumentResultType } from '../../result/document-types.ts';

export const passportResultType: DocumentResultType = {
  id: 'passport',
  documentType: 'passport',
  // How the chip was opened (PACE or BAC) when the flow recorded it.
  method: (r) => (r.checks?.access === 'pace' || r.checks?.access === 'bac' ? r.checks.access : 'chip-passive-auth'),
};
