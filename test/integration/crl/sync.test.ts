// `crl sync`: HTTP source with ETag/304, resumable download, size limit; directory source (USB stick).
import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { makeCa } from '../../harness/crl-fixtures.ts';
import { buildCrl } from '../../../core/der-build.ts';
import { syncCrls } from '../../../daemon/trust/crl/sync.ts';

const ca = makeCa({ cn: 'Sync Test CA' });
const d = mkdtempSync(join(tmpdir(), 'idkiosk-crl-sync-'));
const caPem = join(d, 'ca.pem');
writeFileSync(caPem, ca.cert.toString());
const now = new Date('2026-01-02T00:00:00Z');
const crl = (n: number, extra: object = {}) =>
  buildCrl({
    issuer: ca.name,
    signer: ca.signer,
    thisUpdate: new Date('2026-01-01T00:00:00Z'),
    nextUpdate: new Date('2026-01-08T00:00:00Z'),
    crlNumber: n,
    entries: Array.from({ length: 500 }, (_, i) => ({ serial: BigInt(n * 100000 + i + 1), reason: 1 })),
    ...extra,
  });

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ca.crl`, server };
}

describe('crl sync', () => {
  it('HTTP: imports, then 304 via If-None-Match, then resumes an interrupted download', async () => {
    let body = crl(1);
    let etag = '"v1"';
    let cutNext = false;
    const requests: Array<Record<string, string | undefined>> = [];
    const { url, server } = await serve((req, res) => {
      requests.push({ inm: req.headers['if-none-match'] as string, range: req.headers.range, ifRange: req.headers['if-range'] as string });
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (m && req.headers['if-range'] === etag) {
        const from = Number(m[1]);
        res.writeHead(206, { etag, 'content-length': body.length - from, 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` });
        return void res.end(body.subarray(from));
      }
      res.writeHead(200, { etag, 'content-length': body.length });
      if (cutNext) {
        cutNext = false;
        res.write(body.subarray(0, 1000));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end(body);
    });
    try {
      const db = join(d, 'http-db');
      const cfg = { db, sources: [{ url, issuer: caPem }] };
      expect(await syncCrls(cfg, { now })).toMatchObject([{ result: 'full', crlNumber: '1', revokedInForce: 500 }]);
      expect(await syncCrls(cfg, { now })).toMatchObject([{ result: 'not-modified' }]);
      expect(requests[1]!.inm).toBe('"v1"');

      body = crl(2);
      etag = '"v2"';
      cutNext = true;
      const interrupted = await syncCrls(cfg, { now });
      expect(interrupted).toMatchObject([{ result: 'error', code: 'CRL_SYNC_FAILED' }]);
      const resumed = await syncCrls(cfg, { now });
      expect(resumed).toMatchObject([{ result: 'full', crlNumber: '2' }]);
      expect(requests[requests.length - 1]).toMatchObject({ range: 'bytes=1000-', ifRange: '"v2"' });
    } finally {
      server.close();
    }
  });

  it('HTTP: a download over the size limit is refused with CRL_TOO_LARGE', async () => {
    const body = crl(3);
    const { url, server } = await serve((_req, res) => res.writeHead(200, { 'content-length': body.length }).end(body));
    try {
      const out = await syncCrls({ db: join(d, 'big-db'), maxBytes: 1000, sources: [{ url, issuer: caPem }] }, { now });
      expect(out).toMatchObject([{ result: 'error', code: 'CRL_TOO_LARGE' }]);
    } finally {
      server.close();
    }
  });

  it('directory (USB stick): full CRL before its delta, foreign and broken files reported, store consistent', async () => {
    const usb = join(d, 'usb');
    mkdirSync(usb);
    writeFileSync(join(usb, 'a-delta.crl'), crl(11, { deltaBase: 10, entries: [{ serial: 42n, reason: 1 }] }));
    writeFileSync(join(usb, 'b-full.crl'), crl(10));
    writeFileSync(join(usb, 'c-broken.crl'), crl(12).subarray(0, 300));
    const other = makeCa({ cn: 'Foreign CA', slot: 4 });
    writeFileSync(
      join(usb, 'd-foreign.der'),
      buildCrl({ issuer: other.name, signer: other.signer, thisUpdate: now, nextUpdate: new Date('2026-02-01T00:00:00Z') }),
    );
    const out = await syncCrls({ db: join(d, 'usb-db'), sources: [{ path: usb, issuer: caPem }] }, { now });
    const by = Object.fromEntries(out.map((o) => [o.file!.split('/').pop(), o]));
    expect(by['b-full.crl']).toMatchObject({ result: 'full', crlNumber: 'a' });
    expect(by['a-delta.crl']).toMatchObject({ result: 'delta', added: 1, revokedInForce: 501 });
    expect(by['c-broken.crl']).toMatchObject({ result: 'error', code: 'CRL_LENGTH' });
    expect(by['d-foreign.der']).toMatchObject({ result: 'skipped', code: 'CRL_ISSUER_MISMATCH' });
  });
});
