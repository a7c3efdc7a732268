// Builds input_event captures the way the kernel's matrix_keypad driver writes them for one key press:
// EV_MSC/MSC_SCAN (row << shift | col), EV_KEY, EV_SYN/SYN_REPORT. Used to produce the .hex fixtures.
import { encodeInputEvent, type InputEventLayout } from '../../../drivers/keypad/evdev.ts';

export function keyRecord(layout: InputEventLayout, t: number, scan: number, code: number, value: number): Buffer {
  const sec = Math.floor(t / 1000);
  const usec = (t % 1000) * 1000;
  return Buffer.concat([
    encodeInputEvent({ sec, usec, type: 4, code: 4, value: scan }, layout),
    encodeInputEvent({ sec, usec, type: 1, code, value }, layout),
    encodeInputEvent({ sec, usec, type: 0, code: 0, value: 0 }, layout),
  ]);
}
