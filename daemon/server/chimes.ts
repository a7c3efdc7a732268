// The kiosk's alert sounds, synthesised here (sine notes with a soft attack and an exponential decay) into
// small WAV files the screen plays: no recorded or third-party audio, nothing to install, the same bytes
// on every start. One short motif per alert kind, so a person who cannot read the screen tells them apart:
// verified rises, refused falls, chip-read is level, a wrong secret is two low notes, and a card left in
// the reader is a three-note door chime (issue 19: the forgotten-card escalation starts with it).

const RATE = 16_000;

/** A note: frequency (Hz, 0 = rest) and duration (s). */
type Note = readonly [number, number];

export const CHIME_MOTIFS: Record<string, readonly Note[]> = {
  verified: [
    [784, 0.14],
    [1047, 0.26],
  ],
  'chip-read': [
    [660, 0.18],
    [0, 0.06],
    [660, 0.18],
  ],
  refused: [
    [523, 0.16],
    [392, 0.3],
  ],
  'wrong-secret': [
    [330, 0.14],
    [0, 0.06],
    [330, 0.2],
  ],
  'card-left': [
    [988, 0.3],
    [784, 0.3],
    [659, 0.5],
  ],
};

/** 16-bit mono PCM WAV (RIFF) of the motif. */
export function chimeWav(notes: readonly Note[]): Buffer {
  const samples: number[] = [];
  for (const [hz, dur] of notes) {
    const n = Math.round(dur * RATE);
    for (let i = 0; i < n; i++) {
      const t = i / RATE;
      // 8 ms attack (no click), then a bell-like decay; a quieter octave above gives the bell colour.
      const env = Math.min(1, t / 0.008) * Math.exp(-t * 5);
      const v = hz === 0 ? 0 : env * (0.8 * Math.sin(2 * Math.PI * hz * t) + 0.2 * Math.sin(4 * Math.PI * hz * t));
      samples.push(Math.round(v * 0.6 * 32767));
    }
  }
  const data = Buffer.alloc(samples.length * 2);
  for (const [i, v] of samples.entries()) data.writeInt16LE(v, i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // PCM fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28); // byte rate
  h.writeUInt16LE(2, 32); // block align
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

let cache: Map<string, Buffer> | null = null;

/** The WAV of each alert kind (built once, ~60 ms of CPU for all five). */
export function chimes(): ReadonlyMap<string, Buffer> {
  cache ??= new Map(Object.entries(CHIME_MOTIFS).map(([k, notes]) => [k, chimeWav(notes)]));
  return cache;
}
