// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with the flags this closed
// network needs (no background networking, no component updates) and a fresh profile per launch.
import { chromium, type Browser } from 'playwright-core';

export const ARTIFACTS = new URL('../../.test-artifacts/', import.meta.url).pathname;

/** `extraArgs`: further Chromium flags (e.g. the kiosk's --autoplay-policy for the voice test). */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...extraArgs,
    ],
  });
}
