// The stable code a call fails with, for tests that check "this input is refused with code X".
// One helper for every test file: 'none' when the call returns, the KioskError's code when it throws one,
// and a string naming anything else it throws — so a plain Error or a TypeError fails the comparison with
// a readable message instead of passing or aborting the test with an unrelated stack.
import { isKioskError } from '../../core/errors.ts';

export function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (e) {
    return isKioskError(e) ? e.code : `not a KioskError: ${String(e)}`;
  }
}
