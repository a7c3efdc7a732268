// Streaming CRL reader (RFC 5280 §5). One forward pass over the file in fixed-size chunks: the header
// fields are checked as they arrive, every revoked entry is handed to `onEntry` without building an
// object per entry, tbsCertList is hashed as it passes (the only hash over the bulk of the file), and the
// signature is checked against the issuer certificate at the end. Memory stays at one chunk plus one
// bounded element.
//
// The CRL's identity (`fingerprint`, used to recognise a file already imported) is derived from that same
// TBS digest: SHA-256 over a label, the bytes before the TBS, the digest name, the TBS digest and the bytes
// after it. The reader has checked that the file is exactly outer header ‖ TBS ‖ signatureAlgorithm ‖
// signatureValue, so two files with one fingerprint are the same CRL (as long as the signature's digest
// resists collisions — the same assumption the signature itself makes).
import { createHash } from 'node:crypto';
import { namesMatch } from '../name-compare.ts';
import { KioskError, ErrorCodes } from '../../../core/errors.ts';
import { ChunkedInput } from './chunked-input.ts';
import { decodeLength, decodeTime, lengthError, malformed, isoFromSeconds } from './der.ts';
import { parseSignatureAlgorithm, startVerify, finishVerify } from './signature.ts';
import { parseCrlExtensions, type CrlExtensions } from './crl-extensions.ts';
import { parseEntries } from './crl-entries.ts';
import type { CertInfo } from './cert-info.ts';

/** Called for each revoked entry. `buf[serialStart..serialEnd)` is the serial's INTEGER content; copy it if kept. */
export type CrlEntryHandler = (
  buf: Buffer,
  serialStart: number,
  serialEnd: number,
  revokedAt: number, // seconds since the epoch
  reason: number, // CRLReason code, -1 when absent
  invalidityDate: number, // seconds since the epoch, NaN when absent
) => void;

export interface CrlReadOptions {
  issuer: CertInfo;
  onEntry?: CrlEntryHandler;
  /** Called after each chunk: bytes read so far and entries parsed so far. */
  onProgress?: (bytes: number, entries: number) => void;
  chunkSize?: number;
  /** Larger files are rejected with CRL_TOO_LARGE before parsing. Default 4 GiB. */
  maxBytes?: number;
}

export interface CrlReadResult extends CrlExtensions {
  issuerDer: Buffer;
  version: 1 | 2;
  signatureAlgorithm: string;
  /** seconds since the epoch */
  thisUpdate: number;
  nextUpdate?: number;
  entries: number;
  bytes: number;
  /** hex SHA-256 fingerprint of the CRL (see above); not the SHA-256 of the file */
  fingerprint: string;
}

const DEFAULT_CHUNK = 512 * 1024;
/** Largest element read whole: issuer Name, crlExtensions block, one revoked entry, signature. */
export const MAX_ELEMENT = 64 * 1024;
const MAX_ALGORITHM = 1024;
const MAX_SIGNATURE = 16 * 1024;

export function readCrl(path: string, opts: CrlReadOptions): CrlReadResult {
  let entries = 0;
  const inp = new ChunkedInput(path, opts.chunkSize ?? DEFAULT_CHUNK, MAX_ELEMENT, (bytes) => opts.onProgress?.(bytes, entries));
  try {
    const maxBytes = opts.maxBytes ?? 4 * 1024 ** 3;
    if (inp.size > maxBytes) {
      throw new KioskError(ErrorCodes.CRL_TOO_LARGE, 'CRL file exceeds the size limit', { bytes: inp.size, maxBytes });
    }
    // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
    const outer = header(inp, 0x30, 'CertificateList');
    const total = outer.valueStart + outer.length;
    if (inp.size > total) throw new KioskError(ErrorCodes.CRL_TRAILING_DATA, 'bytes after the CRL', { extra: inp.size - total });
    if (inp.size < total) throw lengthError('CRL file is truncated', { expected: total, actual: inp.size });
    const tbsStart = inp.offset;
    const before = Buffer.from(inp.buf.subarray(0, inp.pos)); // the outer header (base is still 0)
    inp.pin = tbsStart; // keep the TBS start buffered until the verifier (which needs the algorithm) exists
    const tbs = header(inp, 0x30, 'tbsCertList');
    const tbsEnd = tbs.valueStart + tbs.length;
    if (tbsEnd > total) throw lengthError('tbsCertList runs past the CRL');

    let version: 1 | 2 = 1;
    if (peek(inp) === 0x02) {
      const v = small(inp, 0x02, 8, tbsEnd, 'version');
      if (v.length !== 3 || v[2] !== 1) throw new KioskError(ErrorCodes.CRL_VERSION, 'CRL version is not v2');
      version = 2;
    }
    const innerAlg = small(inp, 0x30, MAX_ALGORITHM, tbsEnd, 'signature');
    const alg = parseSignatureAlgorithm(innerAlg);
    const verifier = startVerify(alg);
    inp.startVerifier(verifier.stream ? [verifier.digest, verifier.stream] : [verifier.digest], tbsStart, tbsEnd);

    const issuerDer = small(inp, 0x30, MAX_ELEMENT, tbsEnd, 'issuer');
    if (!namesMatch(issuerDer, opts.issuer.subjectDer)) {
      throw new KioskError(ErrorCodes.CRL_ISSUER_MISMATCH, 'CRL issuer is not the subject of the given CA certificate');
    }
    const thisUpdate = time(inp, tbsEnd, 'thisUpdate');
    let nextUpdate: number | undefined;
    const t = peek(inp);
    if (t === 0x17 || t === 0x18) {
      nextUpdate = time(inp, tbsEnd, 'nextUpdate');
      if (nextUpdate <= thisUpdate) throw malformed('nextUpdate is not after thisUpdate');
    }

    if (inp.offset < tbsEnd && peek(inp) === 0x30) {
      const seq = header(inp, 0x30, 'revokedCertificates');
      const seqEnd = seq.valueStart + seq.length;
      if (seqEnd > tbsEnd) throw lengthError('revokedCertificates runs past tbsCertList');
      // RFC 5280 §5.1.2.6: with no revoked certificates the list MUST be absent, not empty.
      if (seq.length === 0) throw malformed('revokedCertificates is present but empty');
      entries = parseEntries(inp, seqEnd, version, opts.onEntry, MAX_ELEMENT, (n) => (entries = n));
    }
    let ext: CrlExtensions = {};
    if (inp.offset < tbsEnd) {
      if (version !== 2) throw new KioskError(ErrorCodes.CRL_VERSION, 'v1 CRL carries extensions');
      ext = parseCrlExtensions(small(inp, 0xa0, MAX_ELEMENT, tbsEnd, 'crlExtensions'));
    }
    if (inp.offset !== tbsEnd) throw malformed('unexpected data at the end of tbsCertList');

    const outerAlg = small(inp, 0x30, MAX_ALGORITHM, total, 'signatureAlgorithm');
    if (!outerAlg.equals(innerAlg)) throw malformed('signatureAlgorithm differs from tbsCertList.signature');
    const sigTlv = small(inp, 0x03, MAX_SIGNATURE, total, 'signatureValue');
    const hl = sigTlv.length - sigValueLength(sigTlv);
    if (sigTlv.length <= hl || sigTlv[hl] !== 0) throw malformed('signature BIT STRING has unused bits');
    if (inp.offset !== total) throw malformed('unexpected data at the end of the CRL');
    if (inp.ensure(1)) throw new KioskError(ErrorCodes.CRL_TRAILING_DATA, 'bytes after the CRL');

    if (ext.authorityKeyId && opts.issuer.subjectKeyId && !ext.authorityKeyId.equals(opts.issuer.subjectKeyId)) {
      throw new KioskError(ErrorCodes.CRL_ISSUER_MISMATCH, 'CRL authorityKeyIdentifier does not match the CA subjectKeyIdentifier');
    }
    const tbsDigest = verifier.digest.digest();
    if (!finishVerify(verifier, alg, opts.issuer.publicKey, sigTlv.subarray(hl + 1), tbsDigest)) {
      throw new KioskError(ErrorCodes.CRL_SIGNATURE_INVALID, 'CRL signature does not verify with the CA key', {
        algorithm: alg.name,
      });
    }
    opts.onProgress?.(total, entries);
    return {
      ...ext,
      issuerDer,
      version,
      signatureAlgorithm: alg.name,
      thisUpdate,
      nextUpdate,
      entries,
      bytes: total,
      fingerprint: createHash('sha256')
        .update('idkiosk CRL fingerprint v1\0')
        .update(before)
        .update(`${alg.digest}\0`)
        .update(tbsDigest)
        .update(outerAlg)
        .update(sigTlv)
        .digest('hex'),
    };
  } finally {
    inp.close();
  }
}

function sigValueLength(tlv: Buffer): number {
  const l = decodeLength(tlv, 1, tlv.length);
  return l ? l[0] : 0;
}

function peek(inp: ChunkedInput): number | undefined {
  return inp.ensure(1) ? inp.buf[inp.pos] : undefined;
}

interface Header {
  valueStart: number; // absolute
  length: number;
}

/** The tag (which must be `tag`) and length at the read position: [length, octets of tag and length]. */
function tagAndLength(inp: ChunkedInput, tag: number, what: string): [number, number] {
  if (!inp.ensure(2)) throw lengthError(`truncated ${what}`);
  const got = inp.buf[inp.pos];
  if (got !== tag) throw malformed(`unexpected tag for ${what}`, { expected: tag, got: got ?? -1 });
  inp.ensure(6);
  const l = decodeLength(inp.buf, inp.pos + 1, inp.end, what);
  if (!l) throw lengthError(`truncated ${what}`);
  return [l[0], 1 + l[1]];
}

/** Consume a tag + length (not the content). */
function header(inp: ChunkedInput, tag: number, what: string): Header {
  const [length, head] = tagAndLength(inp, tag, what);
  inp.pos += head;
  return { valueStart: inp.offset, length };
}

/** Read a whole bounded element (tag, length and content) and return a copy of it. */
function small(inp: ChunkedInput, tag: number, max: number, containerEnd: number, what: string): Buffer {
  const [length, head] = tagAndLength(inp, tag, what);
  if (length > max) throw lengthError(`${what} is too long`, { length, max });
  const size = head + length;
  if (inp.offset + size > containerEnd) throw lengthError(`${what} runs past its container`);
  if (!inp.ensure(size)) throw lengthError(`truncated ${what}`);
  const out = Buffer.from(inp.buf.subarray(inp.pos, inp.pos + size));
  inp.pos += size;
  return out;
}

function time(inp: ChunkedInput, containerEnd: number, what: string): number {
  const tag = peek(inp);
  if (tag !== 0x17 && tag !== 0x18) throw malformed(`${what} is not a UTCTime or GeneralizedTime`);
  const raw = small(inp, tag, 32, containerEnd, what);
  const s = decodeTimeTlv(raw);
  if (Number.isNaN(s)) throw malformed(`${what} is not a valid time`);
  return s;
}

function decodeTimeTlv(raw: Buffer): number {
  const tag = raw[0];
  const len = raw[1];
  return tag === undefined || len === undefined ? NaN : decodeTime(raw, tag, 2, len);
}

export function describeTimes(r: CrlReadResult): { thisUpdate: string; nextUpdate?: string } {
  return { thisUpdate: isoFromSeconds(r.thisUpdate), nextUpdate: r.nextUpdate === undefined ? undefined : isoFromSeconds(r.nextUpdate) };
}
