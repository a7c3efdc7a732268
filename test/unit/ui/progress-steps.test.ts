// Progress steps per document: each flow shows the steps its handler reports (daemon/documents/*:
// ctx.progress), never another document's — no PIN, signature or certificate step for a passport.
import { describe, expect, it } from 'vitest';

const { progressSteps, entryWord } = (await import('../../../ui/screens.js' as string)) as {
  progressSteps: (purpose: string | null, step: string | null) => string[];
  entryWord: (purpose: string | null) => string;
};

describe('progress steps per document', () => {
  it('a passport shows its own steps: entry, chip data, face image, check — no JPKI step', () => {
    for (const p of ['passport-document-number', 'passport-birth-date', 'passport-expiry-date']) {
      const steps = progressSteps(p, 'read-info');
      expect(steps).toEqual(['identify', 'pin', 'read-info', 'read-images', 'validate']);
      expect(steps).not.toContain('sign-challenge');
      expect(steps).not.toContain('read-certificate');
      expect(entryWord(p)).toBe('entry'); // 入力, not 暗証番号
    }
  });

  it('JPKI user authentication reads the certificate before the PIN; signing asks the password first', () => {
    expect(progressSteps(null, 'read-certificate')).toEqual(['identify', 'read-certificate', 'pin', 'sign-challenge', 'validate']);
    expect(progressSteps('jpki-sign-password', 'pin')).toEqual(['identify', 'pin', 'read-certificate', 'sign-challenge', 'validate']);
    expect(entryWord('jpki-sign-password')).toBe('password');
    expect(entryWord('jpki-auth-pin')).toBe('pin');
  });

  it('licence, residence card and card-information flows have no signature step; before any secret only the card check', () => {
    for (const p of ['license-pin1', 'residence-card-number', 'mynumber-text-pin', 'mynumber-check-code-b']) {
      expect(progressSteps(p, 'pin')).not.toContain('sign-challenge');
    }
    expect(entryWord('residence-card-number')).toBe('entry');
    expect(progressSteps(null, 'identify')).toEqual(['identify']);
  });
});
