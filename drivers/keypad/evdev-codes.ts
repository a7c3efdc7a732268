// Linux input event codes (include/uapi/linux/input-event-codes.h) that a gpio-matrix-keypad keymap may
// use, mapped to keypad keys. Both the classic keyboard codes and the KEY_NUMERIC_* phone-pad codes are
// accepted; the shipped overlays use KEY_NUMERIC_* because standard XKB keymaps do not turn those into
// characters, a second barrier (after the udev rule) between PIN digits and the browser.
import type { KeyName } from './types.ts';

export const EV_SYN = 0;
export const EV_KEY = 1;
export const EV_MSC = 4;
export const EV_REP = 0x14;

export const DEFAULT_EVDEV_KEYMAP: Readonly<Record<number, KeyName>> = {
  // KEY_1..KEY_9, KEY_0
  2: '1',
  3: '2',
  4: '3',
  5: '4',
  6: '5',
  7: '6',
  8: '7',
  9: '8',
  10: '9',
  11: '0',
  // keypad block
  79: '1',
  80: '2',
  81: '3',
  75: '4',
  76: '5',
  77: '6',
  71: '7',
  72: '8',
  73: '9',
  82: '0',
  55: '*', // KEY_KPASTERISK
  96: '#', // KEY_KPENTER (the classic 4×3 example map puts Enter where # is)
  28: '#', // KEY_ENTER
  // KEY_NUMERIC_0..9, STAR, POUND, A..D
  0x200: '0',
  0x201: '1',
  0x202: '2',
  0x203: '3',
  0x204: '4',
  0x205: '5',
  0x206: '6',
  0x207: '7',
  0x208: '8',
  0x209: '9',
  0x20a: '*',
  0x20b: '#',
  0x20c: 'A',
  0x20d: 'B',
  0x20e: 'C',
  0x20f: 'D',
};
