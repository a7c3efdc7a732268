// The technician's view: `idkiosk sim residence` and `idkiosk read residence` as separate processes over
// the real pcscd + vpcd. Checks the JSON contract, exit codes (0 verified, 1 refused, 2 error), the
// decoded images, and the sim's fault flags.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { usePcscCard } from '../../harness/pcsc-card.ts';
import { runIdkiosk, runIdkioskJson, useSimProcess } from '../../harness/cli.ts';

const slot = usePcscCard();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idkiosk-residence-cli-'));
});
const startSimProcess = useSimProcess();

/** Start the sim process; resolves once it says the card is inserted. Returns the CA file it wrote. */
async function startSim(args: string[]): Promise<string> {
  const ca = join(dir, `ca-${Math.random().toString(36).slice(2)}.pem`);
  await startSimProcess(['residence', '--vpcd', `127.0.0.1:${slot.pcscd.port}`, '--ca-out', ca, ...args], { timeoutMs: 10_000 });
  return ca;
}

describe('idkiosk read residence (with idkiosk sim residence)', () => {
  it.each([
    [1, ['--no-extended', '--t0']],
    [2, []],
  ] as const)('generation %i %j, right number: exit 0, JSON verdict, images decoded to PNG', async (generation, extra) => {
    const ca = await startSim(['--generation', String(generation), ...extra]);
    const images = join(dir, `img-${generation}`);
    const {
      json: out,
      stderr,
      stdout,
    } = await runIdkioskJson(['read', 'residence', '--card-number-stdin', '--trust', ca, '--json', '--images', images], 'AA12345678BB\n', 0);
    expect(out).toMatchObject({
      document: 'residence',
      generation,
      verdict: 'verified',
      authenticity: 'proven',
      holderBinding: 'printed-number-only',
      issuerSignature: 'valid',
      chain: 'valid',
      revocation: 'not-applicable',
      reasons: [],
    });
    expect(out.kind).toBe(generation === 1 ? 'unproven' : 'residence-card');
    expect(out.images.face).toMatch(/^decoded 24x32/);
    const png = readFileSync(join(images, 'face.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(existsSync(join(images, generation === 1 ? 'front.png' : 'name.png'))).toBe(true);
    expect(stdout + stderr).not.toContain('AA12345678BB');
  });

  it('wrong number: exit 1, RESIDENCE_CARD_NUMBER_WRONG', async () => {
    const ca = await startSim(['--generation', '2']);
    expect((await runIdkioskJson(['read', 'residence', '--card-number-stdin', '--trust', ca], 'AA12345678BC\n', 1)).json.reasons[0].code).toBe(
      'RESIDENCE_CARD_NUMBER_WRONG',
    );
  });

  it('malformed number: exit 2 before touching the card', async () => {
    const r = await runIdkiosk(['read', 'residence', '--card-number-stdin'], '12345678ABCD\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PIN_FORMAT');
    expect(r.stderr).not.toContain('12345678ABCD');
  });

  it('card pulled mid-SM (sim --pull-during-sm): exit 2, CARD_REMOVED', async () => {
    const ca = await startSim(['--generation', '2', '--pull-during-sm']);
    const r = await runIdkiosk(['read', 'residence', '--card-number-stdin', '--trust', ca], 'AA12345678BB\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CARD_REMOVED');
  });

  it('sim --bad-signature read without --trust: refused for the signature (authenticity failed); no anchor is recorded as a check', async () => {
    await startSim(['--generation', '1', '--bad-signature']);
    const { json: out } = await runIdkioskJson(['read', 'residence', '--card-number-stdin'], 'AA12345678BB\n', 1);
    expect(out).toMatchObject({
      generation: 1,
      verdict: 'refused',
      authenticity: 'failed',
      holderBinding: 'printed-number-only',
      issuerSignature: 'invalid',
      chain: 'invalid',
      expiry: { card: 'not-on-chip' },
    });
    expect(out.checks).toMatchObject({ 'issuer-signature': 'invalid', 'certificate-chain': 'no-configured-anchor' });
    expect(out.reasons.map((x: { code: string }) => x.code)).toEqual(['CARD_SIGNATURE_INVALID']);
  });

  it('sim --present-type 06 on a 2nd-generation residence card: refused, authenticity failed, kind not the claimed one', async () => {
    const ca = await startSim(['--generation', '2', '--card-type', '05', '--present-type', '06']);
    const { json: out } = await runIdkioskJson(['read', 'residence', '--card-number-stdin', '--trust', ca], 'AA12345678BB\n', 1);
    expect(out).toMatchObject({
      verdict: 'refused',
      authenticity: 'failed',
      cardType: '06',
      claimedKind: 'special-permanent-resident',
      kind: 'unproven',
      issuerSignature: 'valid',
    });
    expect(out.reasons.map((x: { code: string }) => x.code)).toEqual(['RESIDENCE_CARD_KIND_MISMATCH']);
  });
});
