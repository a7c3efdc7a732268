// `idkiosk sim passport`: a virtual eMRTD (BAC/PACE, SM, PA/AA/CA) in the real pcscd through vpcd.
import { writeFileSync } from 'node:fs';
import { flags, intOption, oneOf, parseCommandLine, strings } from '../../../core/cli-options.ts';
import { PassportCard, testHolder, type PassportFaults } from '../passport/index.ts';
import { createCsca, issueBy } from '../passport/certs.ts';
import { VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT } from '../vpcd-client.ts';
import { runVirtualCard } from './run-card.ts';
import { simUsage as usage, vpcdAddress } from './options.ts';
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

const dgNumber = (v: string | undefined, opt: string): number | undefined => intOption(v, opt, 1, 16, usage, `${opt} must be a data-group number 1..16`);

function dgList(v: string | undefined, opt: string): number[] | undefined {
  return v === undefined ? undefined : v.split(',').map((x) => dgNumber(x.trim(), opt) ?? 0);
}

/** YYMMDD with month 01–12 and a day that exists in some year (29 Feb allowed). */
function isYymmdd(s: string): boolean {
  if (!/^[0-9]{6}$/.test(s)) return false;
  const m = Number(s.slice(2, 4));
  const d = Number(s.slice(4, 6));
  return m >= 1 && m <= 12 && d >= 1 && d <= ([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0);
}

export const passportCommand: SimSubcommand = {
  name: 'passport',
  summary: 'virtual passport chip (ICAO eMRTD: BAC/PACE, SM, PA/AA/CA)',
  help,
  async run(argv, io) {
    const { values } = parseCommandLine(argv, {
      ...strings('doc-number', 'birth', 'expiry', 'surname', 'given-names', 'pace-cipher', 'curve', 'pace-dh', 'ca-cipher', 'face-bytes'),
      ...strings('csca-out', 'tamper-dg', 'unlisted-dg', 'com-omit', 'withhold', 'csca-country', 'vpcd'),
      ...flags('no-pace', 'no-aa', 'no-ca', 'aa-fail', 'ca-fail', 'pace-broken', 'trace'),
    });
    const doc = values['doc-number']?.toUpperCase();
    const birth = values.birth;
    const expiry = values.expiry;
    if (!doc || !birth || !expiry) throw usage('--doc-number, --birth and --expiry are required');
    if (!/^[A-Z0-9]{1,9}$/.test(doc)) throw usage('--doc-number: 1–9 letters A–Z and digits');
    if (!isYymmdd(birth) || !isYymmdd(expiry)) throw usage('--birth and --expiry: YYMMDD with a real month and day');
    const addr = vpcdAddress(values.vpcd);
    const cipher = (v: string | undefined, opt: string) => {
      if (v === undefined || v === 'aes') return 'AES-128' as const;
      if (v === '3des') return '3DES' as const;
      throw usage(`${opt} must be aes or 3des`);
    };
    const curve = oneOf(values.curve, ['brainpoolP256r1', 'prime256v1'], usage, '--curve must be brainpoolP256r1 or prime256v1') ?? 'brainpoolP256r1';
    const dh = oneOf(values['pace-dh'], ['0', '1', '2'], usage, '--pace-dh must be 0, 1 or 2');
    const faceBytes = intOption(values['face-bytes'], '--face-bytes', 64, 200_000, usage, '--face-bytes must be 64..200000');
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
