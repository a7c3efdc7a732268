// Voice guidance (issue 19): a pre-rendered prompt for every screen × language, in Opus/Ogg, of a plausible
// length; no prompt text with a digit; typing never changes what is spoken. The files are rendered in
// beforeAll through the build's cache (scripts/install-deps.sh and `npm run build` render them first: then
// this takes about a second; cold, minutes).
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildVoice, OUT_DIR, promptJobs, TEXT_DIR, voiceLanguages } from '../../../scripts/build-voice.ts';
import { screenPrompts, VOICE_KEYS } from '../../../ui/voice.js';
import type { SecretPurpose } from '../../../daemon/documents/secrets.ts';
import { OUTCOMES as DAEMON_OUTCOMES } from '../../../daemon/result/result-view.ts';

/** The languages issue 19 asks for (independent of any list in the code). */
const ISSUE_LANGS = ['ja', 'ja-easy', 'en', 'zh-Hans', 'ko', 'vi', 'pt-BR', 'fil', 'ne'];
/** What the screen can show (ui/screens.js screenId: the phases of ui/protocol.js plus its own ids). */
const SCREENS = [
  'connecting',
  'maintenance',
  'printer-blocked',
  'starting',
  'reader-unavailable',
  'idle',
  'reading',
  'secret-entry',
  'verifying',
  'result',
  'remove-card',
];
/** Every secret purpose of daemon/documents/secrets.ts: the type check fails here when one is missing. */
const PURPOSE_SET: Record<SecretPurpose, true> = {
  'jpki-auth-pin': true,
  'jpki-sign-password': true,
  'mynumber-text-pin': true,
  'mynumber-check-code-b': true,
  'license-pin1': true,
  'license-pin2': true,
  'residence-card-number': true,
  'passport-document-number': true,
  'passport-birth-date': true,
  'passport-expiry-date': true,
};
const PURPOSES = Object.keys(PURPOSE_SET);
/** Every outcome a result view can carry (daemon/result/result-view.ts). */
const OUTCOMES = DAEMON_OUTCOMES;

const langs = () => [...new Set([...ISSUE_LANGS, ...voiceLanguages()])];

/** Playback length of an Ogg Opus file: last page's granule position minus the pre-skip, at 48 kHz (RFC 7845). */
function opusSeconds(buf: Buffer): number {
  expect(buf.subarray(0, 4).toString('latin1')).toBe('OggS');
  const head = buf.indexOf('OpusHead', 0, 'latin1');
  expect(head).toBeGreaterThan(0);
  const preSkip = buf.readUInt16LE(head + 10);
  const last = buf.lastIndexOf('OggS', buf.length, 'latin1');
  const granule = Number(buf.readBigUInt64LE(last + 6));
  return (granule - preSkip) / 48_000;
}

function entryState(purpose: string, length: number, extra: Record<string, unknown> = {}) {
  return {
    phase: 'secret-entry',
    session: 7,
    blockedBy: [],
    entry: {
      purpose,
      length,
      previousAttemptWrong: false,
      triesLeft: 3,
      candidate: null,
      candidateIndex: null,
      padIds: ['abcdef'],
      format: { kind: 'digits', min: 4, max: 4 },
      ...extra,
    },
  };
}

beforeAll(async () => {
  await buildVoice();
}, 900_000);

describe('voice prompts', () => {
  it('a rendered Opus file of 0.5–30 s exists for every prompt key in every language', () => {
    const missing: string[] = [];
    for (const lang of langs()) {
      for (const key of VOICE_KEYS) {
        const f = join(OUT_DIR, lang, `${key}.ogg`);
        if (!existsSync(f)) {
          missing.push(`${lang}/${key}`);
          continue;
        }
        const s = opusSeconds(readFileSync(f));
        expect(s, `${lang}/${key}`).toBeGreaterThan(0.5);
        expect(s, `${lang}/${key}`).toBeLessThan(30);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every screen, entry purpose and outcome the UI can show has prompt keys that exist', () => {
    const result = (outcome: string, reasons: string[] = []) => ({ phase: 'result', session: 3, blockedBy: [], result: { outcome, reasons } });
    const cases: [string, unknown, string?][] = [
      ...SCREENS.filter((s) => !['secret-entry', 'result'].includes(s)).map((s): [string, unknown] => [
        s,
        s === 'connecting' ? null : { phase: s, session: 1, blockedBy: [] },
      ]),
      ...PURPOSES.map((p): [string, unknown] => ['secret-entry', entryState(p, 0)]),
      ...OUTCOMES.map((o): [string, unknown, string] => ['result', result(o), o]),
      ['result', result('cancelled', ['PIN_ENTRY_TIMEOUT']), 'cancelled'],
    ];
    for (const [id, state, outcome] of cases) {
      const { keys } = screenPrompts(id, state, null, outcome);
      expect(keys.length, `${id} ${JSON.stringify(state)}`).toBeGreaterThan(0);
      for (const k of keys) expect(VOICE_KEYS).toContain(k);
    }
    expect(screenPrompts('result', result('cancelled', ['PIN_ENTRY_TIMEOUT']), null, 'cancelled').keys).toEqual(['result-timeout']);
    const failed = screenPrompts('result', result('verified'), { receipt: { session: 3, state: 'failed' } }, 'verified').keys;
    expect(failed).toEqual(['result-verified', 'receipt-failed']);
  });

  it('no prompt text, in any language, contains a digit of any script', () => {
    for (const file of readdirSync(TEXT_DIR).filter((f) => f.endsWith('.json'))) {
      const prompts = (JSON.parse(readFileSync(join(TEXT_DIR, file), 'utf8')) as { prompts?: Record<string, string> }).prompts ?? {};
      for (const [key, text] of Object.entries(prompts)) expect(text, `${file} ${key}`).not.toMatch(/\p{Nd}/u);
    }
  });

  it('typing never changes what is spoken: the entry screen keeps its prompts and identity as digits are typed', () => {
    const first = screenPrompts('secret-entry', entryState('jpki-auth-pin', 0), null);
    for (let n = 1; n <= 4; n++) expect(screenPrompts('secret-entry', entryState('jpki-auth-pin', n), null)).toEqual(first);
    // a letter being chosen by multi-tap is not spoken either
    const alnum = { format: { kind: 'alnum', min: 12, max: 12 } };
    const chosen = screenPrompts('secret-entry', entryState('residence-card-number', 3, { ...alnum, candidate: 'B', candidateIndex: 1 }), null);
    expect(chosen).toEqual(screenPrompts('secret-entry', entryState('residence-card-number', 0, alnum), null));
    // a wrong attempt is a new screen: the warning first, then the request again
    expect(screenPrompts('secret-entry', entryState('jpki-auth-pin', 0, { previousAttemptWrong: true, triesLeft: 1 }), null).keys).toEqual([
      'entry-wrong-last',
      'entry-jpki-auth-pin',
    ]);
    // the warning before the entry times out is spoken once, as a screen of its own
    const expiring = screenPrompts('secret-entry', entryState('jpki-auth-pin', 2, { expiring: true }), null);
    expect(expiring.keys).toEqual(['entry-timeout-warning']);
    expect(expiring.id).not.toEqual(first.id);
  });

  it('the build refuses a language without prompt texts', () => {
    expect(() => promptJobs(['xx-missing'])).toThrow(/no ui\/locales\/voice\/xx-missing\.json/);
  });
});
