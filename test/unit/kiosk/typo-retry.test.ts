// Issue 19, typo recovery: when the chip refuses the printed numbers typed (passport MRZ key, residence card
// number), the flow asks the entry form again — values kept, `mismatch` set — with the document still on
// the reader, up to three keys in all, then ends with the refusal. The virtual cards keep no counter for
// these keys (as the real ones: BAC has none, the MRZ is a non-blocking PACE password, no counter is
// published for the residence card number), so a retry cannot lock anything.
import { describe, expect, it } from 'vitest';
import { passportFlow } from '../../../daemon/documents/passport/passport-flow.ts';
import { residenceFlow } from '../../../daemon/documents/residence/residence-flow.ts';
import type { FormRequest } from '../../../daemon/kiosk/entry-fields.ts';
import type { FlowContext } from '../../../daemon/kiosk/document-flow.ts';
import { card, session, STORE } from '../passport/helpers.ts';
import { residenceCard, sessionFor, trustBoth } from '../residence/helpers.ts';

/** A form that answers with the next value list each time, recording what it was asked. */
function formAnswering(answers: string[][]) {
  const asked: FormRequest[] = [];
  const form = async (req: FormRequest) => {
    asked.push(req);
    const a = answers[asked.length - 1];
    if (!a) throw new Error('no more answers');
    return a.map((v) => Buffer.from(v, 'latin1'));
  };
  return { asked, form };
}

function ctx(s: FlowContext['session'], form: FlowContext['form']): FlowContext {
  return {
    session: s,
    prompt: async () => {
      throw new Error('no single prompt expected');
    },
    form,
    progress: () => {},
    signal: new AbortController().signal,
  };
}

const RIGHT = ['TZ1234567', '900115', '341231'];

describe('passport: a typo is corrected with the passport still on the reader', () => {
  it('a wrong document number, then the right one: verified in the same card session', async () => {
    const { session: s } = session(card({ faceBytes: 500 }));
    const f = formAnswering([['TZ1234568', '900115', '341231'], RIGHT]);
    const view = await passportFlow({ csca: STORE }).run(ctx(s, f.form));
    expect(view).toMatchObject({ outcome: 'verified', document: 'passport' });
    expect(f.asked.map((a) => a.mismatch ?? null)).toEqual([null, { attempt: 2, max: 3 }]);
    expect(f.asked[0]!.fields.map((x) => x.purpose)).toEqual(['passport-document-number', 'passport-birth-date', 'passport-expiry-date']);
  });

  it('three wrong keys: refused, no fourth attempt', async () => {
    const { session: s } = session(card({ faceBytes: 500 }));
    const wrong = ['TZ1234568', '900115', '341231'];
    const f = formAnswering([wrong, wrong, wrong, RIGHT]);
    const view = await passportFlow({ csca: STORE }).run(ctx(s, f.form));
    expect(view).toMatchObject({ outcome: 'refused', reasons: ['PASSPORT_ACCESS_DENIED'] });
    expect(f.asked.length).toBe(3);
  });
});

describe('residence card: a mistyped card number is corrected in place', () => {
  it('wrong number, then the right one: verified in the same card session', async () => {
    const { card: c } = residenceCard({ generation: 2 });
    const { session: s } = await sessionFor(c);
    const f = formAnswering([['AA12345678BC'], ['AA12345678BB']]);
    const view = await residenceFlow({ trust: trustBoth() }).run(ctx(s, f.form));
    expect(view).toMatchObject({ outcome: 'verified', document: 'residence' });
    expect(f.asked.map((a) => a.mismatch ?? null)).toEqual([null, { attempt: 2, max: 3 }]);
  });

  it('three wrong numbers: refused with RESIDENCE_CARD_NUMBER_WRONG', async () => {
    const { card: c } = residenceCard({ generation: 1 });
    const { session: s } = await sessionFor(c);
    const f = formAnswering([['AA12345678BC'], ['AA12345678BD'], ['AA12345678BE'], ['AA12345678BB']]);
    const view = await residenceFlow({ trust: trustBoth() }).run(ctx(s, f.form));
    expect(view).toMatchObject({ outcome: 'refused', reasons: ['RESIDENCE_CARD_NUMBER_WRONG'] });
    expect(f.asked.length).toBe(3);
  });
});
