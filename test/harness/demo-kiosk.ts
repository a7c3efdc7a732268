// E2E helpers: the demo's synthetic documents (daemon/demo) as trust-anchor files a kiosk configuration
// names, and a recorder of the screen's WebSocket frames with a check that no secret crossed it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { DemoDocuments } from '../../daemon/demo/demo-cards.ts';
import { TRUST_PURPOSES } from '../../daemon/config/config.ts';

/** One PEM file per anchor, grouped by trust purpose (the `trust` block of a kiosk configuration). */
export function writeDemoAnchors(docs: DemoDocuments, dir: string): Record<string, string[]> {
  const trust: Record<string, string[]> = {};
  for (const purpose of TRUST_PURPOSES) {
    trust[purpose] = docs.anchors(purpose).map((x, i) => {
      const file = join(dir, `${purpose}-${i}.pem`);
      writeFileSync(file, x.toString());
      return file;
    });
  }
  return trust;
}

export interface Frames {
  sent: string[];
  received: string[];
}

/** A page on the kiosk screen that records every WebSocket frame in both directions. */
export async function openRecordedPage(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<{ page: Page; frames: Frames }> {
  const page = await browser.newPage({ viewport });
  const frames: Frames = { sent: [], received: [] };
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.sent.push(String(f.payload)));
    ws.on('framereceived', (f) => frames.received.push(String(f.payload)));
  });
  await page.goto(url);
  return { page, frames };
}

/**
 * No secret in any frame: received frames never contain one, and sent frames carry no character at all
 * (per-entry pad tokens and function keys only), so a secret cannot be rebuilt from them either.
 * `printed` are numbers printed on the document that the holder typed and the screen shows as typed by
 * design (a residence-card or passport number): the entry frames' `typed` values that are prefixes of them
 * are cut out before looking for secrets, because synthetic test values overlap (PIN 1234 inside
 * AA12345678BB) — a secret anywhere else, or any other `typed` value, still fails.
 */
export function expectNoSecrets(frames: Frames, secrets: readonly string[], printed: readonly string[] = []): void {
  expect(frames.received.length).toBeGreaterThan(3);
  let all = [...frames.sent, ...frames.received].join('\n');
  // the screen gets the printed number as it grows ("typed":"AA1", "AA12", …): cut out exactly those
  all = all.replace(/"typed":"([^"]*)"/g, (m, t: string) => (printed.some((p) => t.length > 0 && p.startsWith(t)) ? '"typed":"\u2400"' : m));
  // …and, in a form of printed numbers (issue 19), each field's value as typed so far
  all = all.replace(/"value":"([^"]*)"/g, (m, t: string) => (printed.some((p) => t.length > 0 && p.startsWith(t)) ? '"value":"\u2400"' : m));
  for (const s of secrets) expect(all, `secret ${s.length} chars`).not.toContain(s);
  for (const f of frames.sent)
    expect(f).toMatch(/^\{"v":2,"type":"(pad","id":"[a-z]{6}"|key","key":"(back|clear|enter|cancel|extend|prev|confirm)"|edit","field":[0-7])\}$/);
  // Nor a 12-digit My Number standing alone (12 decimal digits inside a hex fingerprint or base64 image
  // occur by chance and are not numbers).
  expect(all.match(/.{0,40}(?<![0-9A-Za-z+/])\d{12}(?![0-9A-Za-z+/]).{0,20}/)?.[0] ?? null).toBeNull();
}
