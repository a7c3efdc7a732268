// `idkiosk sim passport`: a virtual eMRTD (BAC/PACE, SM, PA/AA/CA) in the real pcscd through vpcd.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ErrorCodes, KioskError } from '../../../core/errors.ts';
import { PassportCard, testHolder, type PassportFaults } from '../passport/index.ts';
import { createCsca, issueBy } from '../passport/certs.ts';
import { VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from '../vpcd-client.ts';
import { parseHostPort, runVirtualCard } from './run-card.ts';
import type { SimSubcommand } from './subcommand.ts';

const help = `idkiosk sim passport — run a virtual passport chip (ICAO 9303 eMRTD) in pcscd via vsmartcard-vpcd

Usage: idkiosk sim passport --doc-number X --birth YYMMDD --expiry YYMMDD [--no-pace] [--vpcd HOST:PORT]
                            [--csca-out FILE] [options]

The chip offers PACE (EF.CardAccess) and BAC, secure messaging, DG1/2/11/12/14/15 and an EF.SOD signed by
a throwaway TEST Document Signer under a throwaway TEST CSCA (write it with --csca-out to verify reads).
Control: stdin lines remove | insert | quit; SIGUSR1 = remove, SIGUSR2 = insert, SIGINT/SIGTERM = stop.

Options:
  --doc-number X       document number, 1–9 characters A–Z 0–9 (synthetic)
  --birth YYMMDD       date of birth     --expiry YYMMDD   date of expiry
  --surname S          --given-names G   (default TESTER / HANAKO)
  --no-pace            BAC-only chip (no EF.CardAccess)
  --pace-cipher C      aes (default) or 3des       --curve N   brainpoolP256r1 (default) or prime256v1
  --pace-dh N          PACE DH generic mapping with standard MODP parameterId N (0, 1 or 2) instead of ECDH
  --no-aa              no DG15 / active authentication
  --no-ca              no DG14 / chip authentication   --ca-cipher C  aes (default) or 3des
  --face-bytes N       size of the synthetic DG2 image (default 34000: reads cross offset 7FFF)
  --csca-out FILE      write the TEST CSCA certificate (PEM) here
  --tamper-dg N        fault: flip a byte of DG N after signing (hash mismatch)
  --unlisted-dg N      fault: the SOD does not list DG N
  --aa-fail            fault: corrupt the active-authentication signature
  --ca-fail            fault: chip authentication derives wrong keys
  --com-omit N,…       clone: EF.COM does not name these DGs (the SOD still lists them)
  --withhold N,…       clone: these DGs are in the SOD but not on the chip (SELECT answers 6A82)
  --csca-country CC    country of the TEST CSCA (default JP; another one tests the issuing-state check)
  --pace-broken        fault: refuse PACE (hosts fall back to BAC)
  --vpcd HOST:PORT     vpcd address (default ${VPCD_DEFAULT_HOST}:${VPCD_DEFAULT_PORT})
  --trace              print each APDU (after unwrapping secure messaging)
  -h, --help           this text
`;

const usage = (msg: string) => new KioskError(ErrorCodes.USAGE, msg);

function dgNumber(v: string | undefined, opt: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^[0-9]{1,2}$/.test(v) || n < 1 || n > 16) throw usage(`${opt} must be a data-group number 1..16`);
  return n;
}

function dgList(v: string | undefined, opt: string): number[] | undefined {
  return v === undefined ? undefined : v.split(',').map((x) => dgNumber(x.trim(), opt)!);
}

/** YYMMDD with month 01–12 and a day that exists in some year (29 Feb allowed). */
function isYymmdd(s: string): boolean {
  if (!/^[0-9]{6}$/.test(s)) return false;
  const m = Number(s.slice(2, 4));
  const d = Number(s.slice(4, 6));
  return m >= 1 && m <= 12 && d >= 1 && d <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

export const passportCommand: SimSubcommand = {
  name: 'passport',
  summary: 'virtual passport chip (ICAO eMRTD: BAC/PACE, SM, PA/AA/CA)',
  help,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        'doc-number': { type: 'string' },
        birth: { type: 'string' },
        expiry: { type: 'string' },
        surname: { type: 'string' },
        'given-names': { type: 'string' },
        'no-pace': { type: 'boolean' },
        'pace-cipher': { type: 'string' },
        curve: { type: 'string' },
        'pace-dh': { type: 'string' },
        'no-aa': { type: 'boolean' },
        'no-ca': { type: 'boolean' },
        'ca-cipher': { type: 'string' },
        'face-bytes': { type: 'string' },
        'csca-out': { type: 'string' },
        'tamper-dg': { type: 'string' },
        'unlisted-dg': { type: 'string' },
        'aa-fail': { type: 'boolean' },
        'ca-fail': { type: 'boolean' },
        'com-omit': { type: 'string' },
        withhold: { type: 'string' },
        'csca-country': { type: 'string' },
        'pace-broken': { type: 'boolean' },
        vpcd: { type: 'string' },
        trace: { type: 'boolean' },
      },
    });
    const doc = values['doc-number']?.toUpperCase();
    const birth = values.birth;
    const expiry = values.expiry;
    if (!doc || !birth || !expiry) throw usage('--doc-number, --birth and --expiry are required');
    if (!/^[A-Z0-9]{1,9}$/.test(doc)) throw usage('--doc-number: 1–9 letters A–Z and digits');
    if (!isYymmdd(birth) || !isYymmdd(expiry)) throw usage('--birth and --expiry: YYMMDD with a real month and day');
    const addr = parseHostPort(values.vpcd, { host: VPCD_DEFAULT_HOST, port: VPCD_DEFAULT_PORT });
    if (!addr) throw usage('--vpcd must be HOST:PORT');
    const cipher = (v: string | undefined, opt: string) => {
      if (v === undefined || v === 'aes') return 'AES-128' as const;
      if (v === '3des') return '3DES' as const;
      throw usage(`${opt} must be aes or 3des`);
    };
    const curve = values.curve ?? 'brainpoolP256r1';
    if (curve !== 'brainpoolP256r1' && curve !== 'prime256v1') throw usage('--curve must be brainpoolP256r1 or prime256v1');
    const dh = values['pace-dh'];
    if (dh !== undefined && !/^[012]$/.test(dh)) throw usage('--pace-dh must be 0, 1 or 2');
    const faceBytes = values['face-bytes'] === undefined ? undefined : Number(values['face-bytes']);
    if (faceBytes !== undefined && (!Number.isInteger(faceBytes) || faceBytes < 64 || faceBytes > 200_000)) throw usage('--face-bytes must be 64..200000');
    const faults: PassportFaults = {
      tamperDg: dgNumber(values['tamper-dg'], '--tamper-dg'),
      unlistedDg: dgNumber(values['unlisted-dg'], '--unlisted-dg'),
      aaFail: values['aa-fail'],
      caFail: values['ca-fail'],
      paceBroken: values['pace-broken'],
      comOmit: dgList(values['com-omit'], '--com-omit'),
      withhold: dgList(values.withhold, '--withhold'),
    };
    const country = values['csca-country'] ?? 'JP';
    if (!/^[A-Z]{2}$/.test(country)) throw usage('--csca-country must be two capital letters');
    const csca = createCsca({ country });
    const pki = { csca, dsc: issueBy(csca, { cn: 'TEST Document Signer' }) };
    if (values['csca-out']) writeFileSync(values['csca-out'], csca.pem);
    const card = new PassportCard({
      holder: testHolder({
        documentNumber: doc,
        dateOfBirth: birth,
        dateOfExpiry: expiry,
        ...(values.surname ? { surname: values.surname.toUpperCase() } : {}),
        ...(values['given-names'] ? { givenNames: values['given-names'].toUpperCase() } : {}),
      }),
      pace: values['no-pace']
        ? false
        : dh !== undefined
          ? { cipher: cipher(values['pace-cipher'], '--pace-cipher'), dhParameterId: Number(dh) as 0 | 1 | 2 }
          : { cipher: cipher(values['pace-cipher'], '--pace-cipher'), curve },
      aa: values['no-aa'] ? false : undefined,
      ca: values['no-ca'] ? false : { cipher: cipher(values['ca-cipher'], '--ca-cipher'), curve: 'brainpoolP256r1' },
      pki,
      faceBytes,
      faults,
    });
    const notes = [
      values['no-pace'] ? 'BAC only' : dh !== undefined ? `PACE DH parameterId ${dh}` : `PACE ${curve}`,
      values['csca-out'] ? `CSCA written to ${values['csca-out']}` : 'CSCA not saved',
    ];
    for (const [k, v] of Object.entries(faults)) if (v !== undefined && v !== false) notes.push(`FAULT ${k}${v === true ? '' : ` ${v}`}`);
    io.stderr(`sim: ${notes.join('; ')}\n`);
    return runVirtualCard(card, { ...addr, label: 'virtual passport (eMRTD)', io, trace: values.trace ? card.log : undefined });
  },
};
