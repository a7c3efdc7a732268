// The passport reader's application and data-group table (daemon/documents/passport/) against ICAO 9303-10's
// file table as data (docs/reference/passport-files.json). The virtual passport takes its identifiers from
// the same data, so this test is what keeps the reader's own reading of the table honest.
import { describe, expect, it } from 'vitest';
import spec from '../../../docs/reference/passport-files.json' with { type: 'json' };
import { DATA_GROUPS } from '../../../daemon/documents/passport/datagroups/data-groups.ts';
import { EMRTD_AID } from '../../../daemon/documents/passport/passport-read.ts';

const hex = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, '0');

describe('passport reader tables = ICAO 9303-10', () => {
  it('the eMRTD AID', () => {
    expect(EMRTD_AID.toString('hex').toUpperCase()).toBe(spec.application.aid.replace(/ /g, ''));
  });

  it('DG1–DG16: outer tag and FID of each data group', () => {
    const table = spec.lds1.filter((f) => f.name.startsWith('DG')).map((f) => `${f.name} ${f.tag} ${f.fid}`);
    expect(table).toHaveLength(16);
    expect(DATA_GROUPS.map((d) => `DG${d.dg} ${hex(d.tag, 2)} ${hex(d.fid, 4)}`)).toEqual(table);
  });
});
