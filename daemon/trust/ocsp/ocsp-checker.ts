// RevocationChecker over OCSP (RFC 6960 over HTTP POST). A strict overall deadline (default 2 s) bounds
// every check, so a hung responder never hangs a session; any failure answers "unknown" with a stable
// code, which the fallback chain (fallback-checker.ts) turns into a CRL-store answer. After a network
// failure the responder is skipped for a while (default 60 s): an offline kiosk does not pay the timeout
// on every card.
import { randomBytes, type X509Certificate } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ErrorCodes, KioskError, toKioskError } from '../../../core/errors.ts';
import type { RevocationChecker, RevocationStatus } from '../revocation.ts';
import type { CertId } from './ocsp-message.ts';

export interface OcspCheckerOptions {
  /** Responder URL (the platform operator's; JPKI certificates carry no OCSP URL of their own). */
  url: string;
  timeoutMs?: number;
  /** After a network failure, skip OCSP for this long (default 60 000 ms; 0 = never skip). */
  retryAfterMs?: number;
  /**
   * Nonce handling (RFC 8954). 'required' (default): a nonce is sent and must be echoed. 'freshness': a nonce is
   * sent; a response without the echo must have been produced within `freshnessSeconds`. false: no nonce is
   * sent (tests against fixed responses only).
   */
  nonce?: 'required' | 'freshness' | false;
  freshnessSeconds?: number;
  now?: () => Date;
  /** Extra CA file for an https responder. */
  ca?: Buffer;
}

const MAX_RESPONSE = 64 * 1024;

/** POSTs the DER request; resolves with the DER response or rejects with OCSP_TIMEOUT / OCSP_UNAVAILABLE. */
export function postOcsp(url: string, body: Buffer, timeoutMs: number, ca?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response', 'content-length': body.length },
        ...(ca ? { ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE) req.destroy(new KioskError(ErrorCodes.OCSP_BAD_RESPONSE, 'OCSP response too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          if (res.statusCode !== 200) reject(new KioskError(ErrorCodes.OCSP_UNAVAILABLE, `OCSP responder answered HTTP ${res.statusCode}`));
          else resolve(Buffer.concat(chunks));
        });
        res.on('error', (e) => reject(toKioskError(e, ErrorCodes.OCSP_UNAVAILABLE)));
      },
    );
    // One deadline for connect + send + the whole answer (socket timeouts only measure idle time).
    const timer = setTimeout(() => req.destroy(new KioskError(ErrorCodes.OCSP_TIMEOUT, `OCSP responder did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(
        e instanceof KioskError
          ? e
          : new KioskError(ErrorCodes.OCSP_UNAVAILABLE, `OCSP responder unreachable (${(e as NodeJS.ErrnoException).code ?? 'error'})`),
      );
    });
    req.end(body);
  });
}

type OcspMessages = typeof import('./ocsp-message.ts');
/**
 * The OCSP message code (with the ASN.1 OCSP, CMS and RSA packages) loads at the first check, not with the
 * daemon: a kiosk start does not pay for it (issue 20). A load failure is an unknown status, never good.
 */
let messages: Promise<OcspMessages> | undefined;
const ocspMessages = (): Promise<OcspMessages> => (messages ??= import('./ocsp-message.ts'));

export class OcspRevocationChecker implements RevocationChecker {
  private skipUntil = 0;
  private readonly now: () => Date;

  constructor(private readonly o: OcspCheckerOptions) {
    this.now = o.now ?? (() => new Date());
  }

  async check(cert: X509Certificate, issuer: X509Certificate): Promise<RevocationStatus> {
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    // An unparsable validity is the certificate's problem, not the responder's: ask without the window.
    const certValidity = Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime()) ? undefined : { notBefore, notAfter };
    return this.ask((m) => m.certIdFor(cert, issuer), issuer, certValidity);
  }

  /** Status of a serial (canonical DER INTEGER content) under an issuer, without the certificate (現況確認). */
  async checkSerial(issuer: X509Certificate, serial: Buffer): Promise<RevocationStatus> {
    return this.ask((m) => ({ ...m.certIdFor(issuer, issuer), serial }), issuer);
  }

  private async ask(
    certId: (m: OcspMessages) => CertId,
    issuer: X509Certificate,
    certValidity?: { notBefore: Date; notAfter: Date },
  ): Promise<RevocationStatus> {
    const checkedAt = () => this.now().toISOString();
    if (Date.now() < this.skipUntil) return { status: 'unknown', source: 'ocsp', checkedAt: checkedAt(), reason: ErrorCodes.OCSP_UNAVAILABLE };
    try {
      const m = await ocspMessages();
      const id = certId(m);
      const nonce = this.o.nonce === false ? null : randomBytes(16);
      const der = await postOcsp(this.o.url, m.encodeRequest(id, nonce), this.o.timeoutMs ?? 2000, this.o.ca);
      const a = m.checkResponse(der, id, issuer, {
        now: this.now(),
        nonce,
        nonceMode: this.o.nonce === 'freshness' ? 'freshness' : 'required',
        ...(this.o.freshnessSeconds !== undefined ? { freshnessSeconds: this.o.freshnessSeconds } : {}),
        ...(certValidity ? { certValidity } : {}),
      });
      const times = { thisUpdate: a.thisUpdate.toISOString(), ...(a.nextUpdate ? { nextUpdate: a.nextUpdate.toISOString() } : {}) };
      if (a.status === 'good') return { status: 'good', source: 'ocsp', checkedAt: checkedAt(), ...times };
      if (a.status === 'revoked')
        return { status: 'revoked', source: 'ocsp', checkedAt: checkedAt(), revokedAt: a.revokedAt.toISOString(), ...(a.reason ? { reason: a.reason } : {}) };
      return { status: 'unknown', source: 'ocsp', checkedAt: checkedAt(), reason: ErrorCodes.TRUST_REVOCATION_UNKNOWN };
    } catch (e) {
      const k = toKioskError(e, ErrorCodes.OCSP_BAD_RESPONSE);
      if (k.code === ErrorCodes.OCSP_TIMEOUT || k.code === ErrorCodes.OCSP_UNAVAILABLE) this.skipUntil = Date.now() + (this.o.retryAfterMs ?? 60_000);
      return { status: 'unknown', source: 'ocsp', checkedAt: checkedAt(), reason: k.code };
    }
  }
}
