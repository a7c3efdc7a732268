// Runs `idkiosk` as a technician would: a separate process (bin/idkiosk.js), secrets on stdin, the
// environment of the test (so PCSCLITE_CSOCK_NAME points at the test's private pcscd).
import { spawn } from 'node:child_process';

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
