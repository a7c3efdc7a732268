// The virtual passport's application and file identifiers, taken as data from ICAO 9303-10's file table
// (docs/reference/passport-files.json, transcribed for docs/reference/passport.md §1). Not imported from the
// reader (daemon/documents/passport): test/unit/passport/reference-tables.test.ts checks the reader's own
// table against the same data, so a wrong tag or FID on either side fails against the specification.
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import spec from '../../../docs/reference/passport-files.json' with { type: 'json' };

export interface LdsFile {
  fid: number;
  sfi: number;
  /** The file's outer tag (null where the table gives none). */
  tag: number | null;
}

const hex = (s: string) => Number.parseInt(s, 16);

function file(list: ReadonlyArray<{ name: string; fid: string; sfi: string; tag?: string }>, name: string): LdsFile {
  const f = list.find((x) => x.name === name);
  if (!f) throw new KioskError(ErrorCodes.INTERNAL, `docs/reference/passport-files.json: no ${name}`);
  return { fid: hex(f.fid), sfi: hex(f.sfi), tag: f.tag === undefined ? null : hex(f.tag) };
}

/** The eMRTD application's AID (`A0 00 00 02 47 10 01`). */
export const EMRTD_AID = Buffer.from(spec.application.aid.replace(/ /g, ''), 'hex');

/** A file of the LDS1 application: 'EF.COM', 'EF.SOD'. */
export const ldsFile = (name: 'EF.COM' | 'EF.SOD'): LdsFile => file(spec.lds1, name);
/** A file of the MF: 'EF.CardAccess'. */
export const mfFile = (name: 'EF.CardAccess'): LdsFile => file(spec.mf, name);
/** Data group n (1–16): its FID, SFI and outer tag. */
export const dataGroup = (n: number): LdsFile => file(spec.lds1, `DG${n}`);

/** The outer tag of a file whose table row has one. */
export function tagOf(f: LdsFile): number {
  if (f.tag === null) throw new KioskError(ErrorCodes.INTERNAL, `file ${f.fid.toString(16)} has no outer tag in the table`);
  return f.tag;
}
