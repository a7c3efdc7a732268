// The driver's licence's result as the kiosk sees it: its own display view (the holder's current name and
// address, with 外字 as glyph images) beside the shared ResultView, and the DocumentResultType that names
// its results for receipts, the signed API result and the audit record.
import type { DocumentResultType } from '../../result/document-types.ts';
import type { ResultView, ScreenTextRun } from '../../result/result-view.ts';

/**
 * The holder's *current* name and address (EF04 changes applied) for the clerk, present only when the
 * licence flow's disclosure mode allows it (default: absent). Carried as ResultView.licenseHolder.
 */
export interface LicenseHolderView {
  name: ScreenTextRun[];
  address: ScreenTextRun[];
  nameChanged: boolean;
  /** The address comes from a 記載事項変更 record, not from the value printed at issue. */
  addressChanged: boolean;
  expiryDate: string;
  /** PNG data URL of the photo, only in the mode that discloses it and when the JPEG 2000 was decoded. */
  photo?: string | null;
}

export type LicenseResultView = ResultView & { licenseHolder?: LicenseHolderView | null };

const isLicenseResult = (r: ResultView): r is LicenseResultView => r.document === 'license';

/** The licence's display view on a result (null when absent or the result is not a licence's). */
export const licenseHolderOf = (r: ResultView): LicenseHolderView | null => (isLicenseResult(r) && r.licenseHolder) || null;

const runsText = (runs: readonly ScreenTextRun[]) => runs.map((r) => ('text' in r ? r.text : '〓')).join('');

export const licenseResultType: DocumentResultType = {
  id: 'license',
  documentType: 'drivers-licence',
  method: 'pin-and-chip',
  personalData: (r) => {
    const h = licenseHolderOf(r);
    return h ? { name: h.name.length ? runsText(h.name) : null, dateOfBirth: null, address: runsText(h.address) } : null;
  },
};
