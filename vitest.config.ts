import { defineConfig } from 'vitest/config';

// Two projects, so that `vitest run` runs every test exactly once and `npm run test:unit` (`--project unit`)
// runs the quick half alone.
//
// unit: pure tests (no pcscd, no sockets to other processes, no native device bindings). They share one
// module cache per worker (`isolate: false`): the test files import the same few hundred daemon modules,
// and importing them afresh for each of ~120 files was most of the run's CPU time. Two worker threads, not
// vitest's default of cores − 1 (one on the 2-core kiosk-class machines this runs on). A unit test must
// therefore leave no global state behind: undo registrations in afterAll, restore fake timers, no vi.mock
// of shared modules (test/unit/layers/unit-isolation.test.ts checks the last two).
//
// integration (and conformance, e2e, fuzz): they start their own pcscd and virtual cards; they run in forked
// processes so that a native binding (pcsclite, onoff) never shares a worker thread with another test file.
export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          pool: 'threads',
          isolate: false,
          maxWorkers: 2,
          // vitest runs projects with different worker settings as separate groups, one after the other;
          // the quick unit group first, so a plain `vitest run` reports a broken unit early.
          sequence: { groupOrder: 0 },
          // A few files walk hundreds of card sessions (residence/verdict, the conformance suites): seconds on a
          // quiet machine, but this loop runs beside other work; the deadline is there to end a hang, not to time.
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**'],
          pool: 'forks',
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
