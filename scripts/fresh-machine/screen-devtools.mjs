// Runs inside the booted container (scripts/systemd-container-check.sh) with the package's node and its
// `ws` module: asks the Chromium that idkiosk-browser.service started, through its DevTools port, whether
// the kiosk screen is loaded and connected to the daemon, then takes a screenshot of it.
//
// "Loaded and connected" = the page is the daemon's screen (http://127.0.0.1:PORT/) and
// document.body.dataset.phase is a session phase (e.g. "idle"). The screen sets that attribute only from
// a state message received over its WebSocket, which the daemon sends only to a client that presented
// the per-boot token — so it proves launcher page → token → screen → WebSocket → daemon end to end.
// Page URLs carry the token: none is printed.
//
// Usage: node screen-devtools.mjs DEVTOOLS_PORT UI_PORT OUT.png [DEADLINE_S]
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [devtoolsPort, uiPort, out, deadlineS = '120'] = process.argv.slice(2);
const WebSocket = createRequire('/usr/lib/idkiosk/package.json')('ws');
const deadline = Date.now() + Number(deadlineS) * 1000;
/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let last = 'no answer from the DevTools port yet';

/** @typedef {{ type: string, url: string, webSocketDebuggerUrl: string }} DevtoolsTarget */
/** @typedef {{ call: (method: string, params?: object) => Promise<any>, close: () => void }} DevtoolsSession */

/** @returns {Promise<DevtoolsTarget | undefined>} */
async function screenTarget() {
  const list = /** @type {DevtoolsTarget[]} */ (await (await fetch(`http://127.0.0.1:${devtoolsPort}/json/list`)).json());
  return list.find((t) => t.type === 'page' && t.url.startsWith(`http://127.0.0.1:${uiPort}/`));
}

/**
 * @param {string} url
 * @returns {Promise<DevtoolsSession>}
 */
function session(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let id = 0;
    const waiting = new Map();
    ws.on('message', (/** @type {unknown} */ data) => {
      const m = JSON.parse(String(data));
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.error) w.reject(new Error(m.error.message));
      else w.resolve(m.result);
    });
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        call: (/** @type {string} */ method, params = {}) =>
          new Promise((res, rej) => {
            waiting.set(++id, { resolve: res, reject: rej });
            ws.send(JSON.stringify({ id, method, params }));
          }),
        close: () => ws.close(),
      }),
    );
  });
}

while (Date.now() < deadline) {
  try {
    const target = await screenTarget();
    if (!target) {
      last = 'Chromium answers but shows no page of the kiosk screen (launcher not redirected?)';
    } else {
      const s = await session(target.webSocketDebuggerUrl);
      try {
        const r = await s.call('Runtime.evaluate', {
          expression:
            'JSON.stringify({ phase: document.body.dataset.phase ?? null, screen: document.body.dataset.screen ?? null, title: document.title, lang: document.documentElement.lang, ready: document.readyState, text: document.body.innerText.slice(0, 80) })',
          returnByValue: true,
        });
        const page = JSON.parse(r.result.value);
        last = `screen loaded (${page.ready}, title "${page.title}", text "${page.text.replace(/\s+/g, ' ')}"), phase ${page.phase}`;
        if (page.phase && page.phase !== 'connecting') {
          const shot = await s.call('Page.captureScreenshot', { format: 'png' });
          writeFileSync(out, Buffer.from(shot.data, 'base64'));
          console.log(
            `kiosk screen in Chromium under cage: phase ${page.phase}, screen ${page.screen}, lang ${page.lang}, title "${page.title}"; screenshot ${(shot.data.length * 0.75) | 0} bytes`,
          );
          s.close();
          process.exit(0);
        }
      } finally {
        s.close();
      }
    }
  } catch (e) {
    last = `DevTools: ${e instanceof Error ? e.message : String(e)}`;
  }
  await sleep(2000);
}
console.error(`the kiosk screen did not come up in ${deadlineS} s: ${last}`);
process.exit(1);
