// One e2e file's stack over the real PC/SC path: a temporary directory, a private pcscd and one headless
// Chromium, started side by side before the file's tests; the file puts its daemon in `kiosk` and the
// test's virtual card connection in `client`. After each test the card leaves, pcscd gets one presence
// poll to see it go, and a session still running is cancelled; after the file the card, the daemon, the
// browser and pcscd stop in that order, then the directory is removed.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Kiosk } from '../../daemon/app.ts';
import type { VpcdClient } from '../../drivers/sim/vpcd-client.ts';
import { ARTIFACTS, launchBrowser } from './browser.ts';
import { PCSCD_REMOVAL_POLL_MS } from './pcsc-card.ts';
import { startPcscd, type PcscdInstance } from './pcscd.ts';

export interface E2eStack {
  dir: string;
  pcscd: PcscdInstance;
  browser: Browser;
  kiosk: Kiosk | null;
  client: VpcdClient | null;
}

export interface E2eStackOptions {
  /** Runs once the stack is up (e.g. writes anchors into `dir`, starts the first daemon). */
  setup?: (s: E2eStack) => void | Promise<void>;
  /** Runs after the daemon, the browser and pcscd stopped, before the directory is removed. */
  teardown?: () => void;
}

export function useE2eStack(prefix: string, o: E2eStackOptions = {}): E2eStack {
  const s = { kiosk: null, client: null } as E2eStack;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    s.dir = mkdtempSync(join(tmpdir(), prefix));
    [s.pcscd, s.browser] = await Promise.all([startPcscd(), launchBrowser()]);
    await o.setup?.(s);
  }, 60_000);
  afterAll(async () => {
    await s.client?.close();
    await s.kiosk?.stop();
    await s.browser?.close();
    await s.pcscd?.stop();
    o.teardown?.();
    if (s.dir) rmSync(s.dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await s.client?.close();
    s.client = null;
    await new Promise((r) => setTimeout(r, PCSCD_REMOVAL_POLL_MS));
    if (s.kiosk && s.kiosk.runtime.getState().phase !== 'idle') s.kiosk.runtime.cancel();
  });
  return s;
}
