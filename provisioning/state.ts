// Provisioning progress, so a technician (or a script) can stop and resume: which steps are done, when,
// and the last selftest verdict. Each step is idempotent on its own; the state only reports.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../daemon/device/device-key.ts';

export type Step = 'init' | 'trust' | 'crl' | 'enroll-csr' | 'enroll' | 'selftest';
export const STEPS: Step[] = ['init', 'trust', 'crl', 'enroll-csr', 'enroll', 'selftest'];

export interface ProvisionState {
  steps: Partial<Record<Step, { at: string; detail?: string }>>;
}

export function readState(file: string): ProvisionState {
  if (!existsSync(file)) return { steps: {} };
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProvisionState;
  } catch {
    return { steps: {} };
  }
}

export function markStep(file: string, step: Step, detail?: string, now = new Date()): void {
  const s = readState(file);
  s.steps[step] = { at: now.toISOString(), ...(detail ? { detail } : {}) };
  writeFileAtomic(file, JSON.stringify(s, null, 2) + '\n', 0o640);
}
