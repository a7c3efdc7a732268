import { defineConfig } from 'vitest/config';

// Integration tests start their own pcscd and virtual cards; they run in forked processes so that a
// native binding (pcsclite, onoff) never shares a worker thread with another test file.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default'],
  },
});
