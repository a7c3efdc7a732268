// The residence card's result as the kiosk sees it: its own display view (ResultView.residence: card kind,
// expiry dates, status of residence, work restriction — never birth date, nationality or address) and the
// DocumentResultType that names its results for receipts, the signed API result and the audit record.
import type { DocumentResultType } from '../../result/document-types.ts';
import type { ResultView } from '../../result/result-view.ts';

/** The residence-card fields a kiosk screen shows; images only when the kiosk is configured to display them. */
export interface ResidenceView {
  generation: 1 | 2;
  cardType: string;
  /** As proven by signed data; 'unproven' when the signed data does not state it (1st gen) or was not proven. */
  kind: 'residence-card' | 'special-permanent-resident' | 'unproven';
  cardExpiry: string | null;
  statusOfResidence: string | null;
  periodOfStayExpiry: string | null;
  workRestriction: string | null;
  expiry: { card: string; periodOfStay: string };
  /** data:image/png;base64 URLs of the decoded card images (face; 1st-gen front side; 2nd-gen name). */
  images?: { face?: string; front?: string; name?: string };
}

export type ResidenceResultView = ResultView & { residence?: ResidenceView };

/** The residence card's display view on a result (null when absent or the result is not a residence card's). */
export const residenceViewOf = (r: ResultView): ResidenceView | null => (r.document === 'residence' && (r as ResidenceResultView).residence) || null;

export const residenceResultType: DocumentResultType = { id: 'residence', documentType: 'residence-card', method: 'chip-passive-auth' };
