// The licence result as plain JSON for the CLI and the integration API: texts as their plain form plus
// runs (外字 with their PNG), dates as ISO strings, no Buffers. The photo is described, not embedded.
import { glyphDataUrl } from './gaiji.ts';
import type { LicenseText } from './jis.ts';
import type { LicenseResult } from './license-verdict.ts';
import type { FieldValue } from './matters.ts';

function text(t: LicenseText | null | undefined) {
  return t ? { plain: t.plain, runs: t.runs, ...(t.invalid ? { invalid: true } : {}) } : null;
}

function field(v: FieldValue) {
  switch (v.kind) {
    case 'byte':
      return v.value;
    case 'text':
      return text(v.value);
    case 'jis0201':
      return v.value;
    case 'date':
      return v.value ?? { unparsed: v.raw };
    case 'class-date':
      return v.value;
  }
}

export function licenseResultJson(r: LicenseResult) {
  return {
    document: r.document,
    verdict: r.verdict,
    authenticity: r.authenticity,
    holderBinding: r.holderBinding,
    reasons: r.reasons,
    checks: r.checks,
    common: r.common,
    pinSetting: r.pinSetting,
    pin1TriesBefore: r.pin1TriesBefore,
    pin2TriesBefore: r.pin2TriesBefore,
    expiry: r.expiry,
    matters: r.matters ? Object.fromEntries(Object.entries(r.matters.fields).map(([k, v]) => [k, field(v)])) : null,
    unknownTags: r.matters?.unknownTags ?? [],
    current: r.current && {
      name: { ...r.current.name, value: text(r.current.name.value) },
      address: { ...r.current.address, value: text(r.current.address.value) },
    },
    changes: r.changes.map((c) => ({ ...c, value: text(c.value), commission: text(c.commission) })),
    changeProblems: r.changeProblems,
    fileErrors: r.fileErrors,
    honseki: r.honseki && { atIssue: text(r.honseki.atIssue), current: { ...r.honseki.current, value: text(r.honseki.current.value) } },
    glyphs: r.glyphs.map((g) => ({ index: g.index, composition: g.composition, width: g.width, height: g.height, png: glyphDataUrl(g) })),
    photo: r.photo && { format: r.photo.format, bytes: r.photo.bytes, sha256: r.photo.sha256, display: r.photo.display },
    signature: r.signature,
  };
}
