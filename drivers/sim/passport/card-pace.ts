// Chip side of PACE v2, generic mapping over ECDH or DH (9303-11 §4.4): MSE:Set AT, then four GENERAL
// AUTHENTICATE steps (encrypted nonce, mapping, key agreement, mutual authentication). Each step is
// computed from the state; a step out of order, a point off the curve / value outside the subgroup, or a
// wrong host token ends the attempt.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { aesCbc, aesCmac, des3Cbc, padIso, retailMac } from '../../../core/crypto/icao-primitives.ts';
import { cardPaceGroup, randomScalar, type CardPaceGroup, type GroupElement } from './card-groups.ts';
import { children, decodeOid, encodeOidValue, readAll, readTlv, tlv } from '../iso7816/ber-tlv.ts';
import { SW, type CardResponse } from '../iso7816/index.ts';
import type { CardCipher } from './card-sm.ts';

export interface PaceParams {
  oid: string;
  parameterId: number;
  agreement: 'ECDH' | 'DH';
  cipher: CardCipher;
}

/** id-PACE-{DH,ECDH}-GM-{3DES,AES-128}. */
export function paceOid(agreement: 'ECDH' | 'DH', cipher: CardCipher): string {
  return `0.4.0.127.0.7.2.2.4.${agreement === 'DH' ? 1 : 2}.${cipher === '3DES' ? 1 : 2}`;
}

/** EF.CardAccess content: one PACEInfo (version 2, standard parameterId). */
export function cardAccess(p: PaceParams): Buffer {
  return tlv(0x31, tlv(0x30, tlv(0x06, encodeOidValue(p.oid)), Buffer.from([0x02, 0x01, 0x02]), Buffer.from([0x02, 0x01, p.parameterId])));
}

/** The ICAO 9303-11 KDF for 3DES and AES-128 keys (docs/reference/passport.md §3): SHA-1(secret ‖ counter as 4 bytes)[0..16]. */
export function kdf(secret: Buffer, counter: number): Buffer {
  const c = Buffer.alloc(4);
  c.writeUInt32BE(counter);
  return createHash('sha1').update(secret).update(c).digest().subarray(0, 16);
}

type State =
  | { step: 'idle' }
  | { step: 'set' }
  | { step: 'nonce'; s: bigint }
  | { step: 'mapped'; g: GroupElement }
  | { step: 'agreed'; kEnc: Buffer; kMac: Buffer; ePk: Buffer; hostPk: Buffer };

export interface PaceOutcome {
  cipher: CardCipher;
  kEnc: Buffer;
  kMac: Buffer;
}

export class PacePicc {
  private state: State = { step: 'idle' };
  private readonly group: CardPaceGroup;
  /** Fault: refuse GENERAL AUTHENTICATE (the host must fall back to BAC). */
  broken = false;

  constructor(
    readonly params: PaceParams,
    private readonly mrzInformation: () => Buffer,
  ) {
    const g = cardPaceGroup(params.agreement, params.parameterId);
    if (!g) throw new RangeError(`no PACE group for ${params.agreement} parameter ${params.parameterId}`);
    this.group = g;
  }

  reset(): void {
    this.state = { step: 'idle' };
  }

  /** MSE:Set AT for PACE (P1P2 C1A4): 80 OID, 83 password reference, 84 parameter id (optional). */
  setAt(data: Buffer): CardResponse {
    this.state = { step: 'idle' };
    let dos: ReturnType<typeof readAll>;
    try {
      dos = readAll(data);
    } catch {
      return { sw: SW.WRONG_DATA };
    }
    const oid = dos.find((d) => d.tag === 0x80);
    const pwd = dos.find((d) => d.tag === 0x83);
    const param = dos.find((d) => d.tag === 0x84);
    if (!oid || !pwd) return { sw: SW.WRONG_DATA };
    if (decodeOid(oid.value) !== this.params.oid) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    if (pwd.value.length !== 1 || pwd.value[0] !== 0x01) return { sw: SW.REFERENCED_DATA_NOT_FOUND }; // MRZ only
    if (param && (param.value.length !== 1 || param.value[0] !== this.params.parameterId)) return { sw: SW.REFERENCED_DATA_NOT_FOUND };
    this.state = { step: 'set' };
    return { sw: SW.OK };
  }

  private kPi(): Buffer {
    const info = this.mrzInformation();
    const k = createHash('sha1').update(info).digest();
    return kdf(k, 3);
  }

  private token(kMac: Buffer, point: Buffer): Buffer {
    const input = tlv(0x7f49, tlv(0x06, encodeOidValue(this.params.oid)), tlv(this.group.tokenTag, point));
    return this.params.cipher === '3DES' ? retailMac(kMac, padIso(input, 8)) : aesCmac(kMac, input).subarray(0, 8);
  }

  /** One GENERAL AUTHENTICATE step. `onEstablished` receives the session keys after step 4. */
  generalAuthenticate(data: Buffer, chained: boolean, onEstablished: (o: PaceOutcome) => void): CardResponse {
    if (this.broken) return { sw: SW.CONDITIONS_NOT_SATISFIED };
    try {
      return this.step(data, chained, onEstablished);
    } catch {
      this.state = { step: 'idle' }; // e.g. a mapping that lands on the point at infinity
      return { sw: SW.WRONG_DATA };
    }
  }

  private step(data: Buffer, chained: boolean, onEstablished: (o: PaceOutcome) => void): CardResponse {
    let items: ReturnType<typeof children>;
    try {
      const outer = readTlv(data);
      if (outer.tag !== 0x7c || outer.raw.length !== data.length) return { sw: SW.WRONG_DATA };
      items = children(outer);
    } catch {
      return { sw: SW.WRONG_DATA };
    }
    const grp = this.group;
    const st = this.state;
    const fail = (sw: number = SW.WRONG_DATA): CardResponse => {
      this.state = { step: 'idle' };
      return { sw };
    };
    const peer = (tag: number) => {
      const v = items.find((i) => i.tag === tag)?.value;
      if (!v) return null;
      try {
        return { P: grp.decode(v), raw: v };
      } catch {
        return null;
      }
    };
    if (st.step === 'set' && chained && items.length === 0) {
      const block = this.params.cipher === '3DES' ? 8 : 16;
      const s = randomBytes(block);
      const kPi = this.kPi();
      const z = this.params.cipher === '3DES' ? des3Cbc(kPi, Buffer.alloc(8), s, true) : aesCbc(kPi, Buffer.alloc(16), s, true);
      this.state = { step: 'nonce', s: BigInt('0x' + s.toString('hex')) };
      return { sw: SW.OK, data: tlv(0x7c, tlv(0x80, z)) };
    }
    if (st.step === 'nonce' && chained) {
      const host = peer(0x81);
      if (!host) return fail();
      const sk = randomScalar(grp.order);
      const g = grp.map(st.s, grp.agree(sk, host.P));
      this.state = { step: 'mapped', g };
      return { sw: SW.OK, data: tlv(0x7c, tlv(0x82, grp.publicKey(sk, grp.generator))) };
    }
    if (st.step === 'mapped' && chained) {
      const host = peer(0x83);
      if (!host) return fail();
      const eSk = randomScalar(grp.order);
      const ePk = grp.publicKey(eSk, st.g);
      if (ePk.equals(host.raw)) return fail();
      const k = grp.secret(grp.agree(eSk, host.P));
      this.state = { step: 'agreed', kEnc: kdf(k, 1), kMac: kdf(k, 2), ePk, hostPk: Buffer.from(host.raw) };
      return { sw: SW.OK, data: tlv(0x7c, tlv(0x84, ePk)) };
    }
    if (st.step === 'agreed' && !chained) {
      const t = items.find((i) => i.tag === 0x85)?.value;
      // A wrong MRZ key shows up here: the host's token does not match (63 00, as chips answer).
      if (t?.length !== 8 || !timingSafeEqual(t, this.token(st.kMac, st.ePk))) return fail(0x6300);
      const answer = tlv(0x7c, tlv(0x86, this.token(st.kMac, st.hostPk)));
      this.state = { step: 'idle' };
      onEstablished({ cipher: this.params.cipher, kEnc: st.kEnc, kMac: st.kMac });
      return { sw: SW.OK, data: answer };
    }
    return fail(SW.CONDITIONS_NOT_SATISFIED);
  }
}
