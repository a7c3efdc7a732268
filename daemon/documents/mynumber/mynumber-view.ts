// What a My Number mode puts on the screen: the holder fields the mode may disclose (never the My
// Number), plus explicit JIS X 0208 renderings when the original has characters outside it. Also the one
// log line per substituted field — counts only, never the text.
import type { Logger } from '../../../core/log.ts';
import type { HolderView } from '../../kiosk/session-machine.ts';
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
  for (const [field, t] of [['name', h.name], ['address', h.address]] as const) {
    const line = t && substitutionLogLine(context, field, t);
    if (line) log(line);
  }
}
