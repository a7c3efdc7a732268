// Runs `idkiosk` as a technician would: a separate process (bin/idkiosk.js), secrets on stdin, the
// environment of the test (so PCSCLITE_CSOCK_NAME points at the test's private pcscd).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, expect } from 'vitest';

export const IDKIOSK_BIN = new URL('../../bin/idkiosk.js', import.meta.url).pathname;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runIdkiosk(args: string[], stdin = ''): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [IDKIOSK_BIN, ...args], { env: process.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

/**
 * Runs `idkiosk ARGS` with `stdin`, expects exit code `exit` (its output as the failure message) and returns
 * the run with `json`, the one object it printed on stdout.
 */
export async function runIdkioskJson(args: string[], stdin: string, exit: number): Promise<CliRun & { json: ReturnType<typeof JSON.parse> }> {
  const r = await runIdkiosk(args, stdin);
  expect(r.code, r.stderr + r.stdout).toBe(exit);
  return { ...r, json: JSON.parse(r.stdout) };
}

export interface SimProcess {
  process: ChildProcess;
  /** Everything the virtual card has written to stderr so far. */
  stderr(): string;
}

/**
 * Starts `idkiosk sim ARGS…` as its own process and resolves once it says the card is inserted (and
 * `ready()`, e.g. "the CA file it writes exists", holds), then gives pcscd a moment to see the card. A sim
 * that exits or stays silent past the deadline fails the test with what it said.
 */
export async function startSimProcess(args: string[], o: { timeoutMs?: number; ready?: () => boolean } = {}): Promise<SimProcess> {
  const p = spawn(process.execPath, [IDKIOSK_BIN, 'sim', ...args], { env: process.env, stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d) => (err += d));
  const end = Date.now() + (o.timeoutMs ?? 15_000);
  while (!(err.includes('card inserted') && (o.ready?.() ?? true))) {
    if (Date.now() > end || p.exitCode !== null) {
      p.kill();
      throw new Error(`sim did not insert: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  return { process: p, stderr: () => err };
}

/** Ends a child process and waits for it (nothing to do when it has already ended). */
export async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await done;
}

/** startSimProcess for the tests of this file or describe block: every sim started is stopped after each test. */
export function useSimProcess(): (args: string[], o?: Parameters<typeof startSimProcess>[1]) => Promise<SimProcess> {
  let started: ChildProcess[] = [];
  afterEach(async () => {
    const stop = started;
    started = [];
    await Promise.all(stop.map(stopProcess));
  });
  return async (args, o) => {
    const sim = await startSimProcess(args, o);
    started.push(sim.process);
    return sim;
  };
}
