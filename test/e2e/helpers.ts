// Shared helpers of the e2e files: viewports, waiting for a screen, screenshots.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { ARTIFACTS } from '../harness/browser.ts';

export const WIDE = { width: 1280, height: 800 };
export const SMALL = { width: 800, height: 480 };

/** Waits until the page shows the screen (body[data-screen], set by ui/screens.js). */
export const screen = (page: Page, id: string | RegExp, timeout = 10_000) =>
  expect.poll(() => page.evaluate<string>("document.body.dataset.screen ?? ''"), { timeout }).toMatch(typeof id === 'string' ? new RegExp(`^${id}$`) : id);

export const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}screen-${name}.png` });

export const text = (page: Page, id: string) => page.textContent(`#${id}`);
