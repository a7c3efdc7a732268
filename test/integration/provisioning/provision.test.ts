// The technician's path through `idkiosk provision`, on simulated hardware: init (validated, idempotent),
// trust anchors with fingerprint confirmation, CRL source + first sync, enrolment (CSR checked by
// openssl, certificate installed only for this key and CA), and a selftest that reports every check
// while the running daemon shows maintenance mode.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startKiosk } from '../../../daemon/app.ts';
import { runCli } from '../../../daemon/cli/run.ts';
import { loadConfig } from '../../../daemon/config/config.ts';
import { createJpkiAuthCa } from '../../../drivers/sim/pki.ts';
import { issueCrl } from '../../../drivers/sim/crl-issuer.ts';
import { freePort } from '../../harness/net.ts';
import { openssl, selfSignedP256, signCsr } from '../../harness/openssl.ts';

function io() {
  const o = { stdout: '', stderr: '' };
  return { o, io: { stdout: (t: string) => void (o.stdout += t), stderr: (t: string) => void (o.stderr += t), readStdin: async () => '' } };
}
async function cli(...args: string[]) {
  const c = io();
  const code = await runCli(['provision', ...args], c.io);
  return { code, ...c.o };
}
const base = mkdtempSync(join(tmpdir(), 'idkiosk-prov-'));
const config = join(base, 'etc', 'config.json');
// the service account is this process's own (ownership.test.ts hands files to a separate account)
const common = ['--config', config, '--owner', `${process.getuid!()}:${process.getgid!()}`];

describe('idkiosk provision', () => {
  it('init: clear errors, key 0600, idempotent, rename only with --force', async () => {
    const bad = await cli('init', ...common, '--kiosk-id', 'bad id');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--kiosk-id 'bad id' is not a valid device id/);
    expect(existsSync(config)).toBe(false);
    const badSite = await cli('init', ...common, '--kiosk-id', 'k-1', '--site', 'x y');
    expect(badSite.stderr).toMatch(/--site 'x y' is not a valid site id/);
    const badUrl = await cli(
      'init',
      ...common,
      '--kiosk-id',
      'k-1',
      '--fleet-url',
      'http://fleet.example/hb',
      '--state-dir',
      join(base, 'var'),
      '--run-dir',
      join(base, 'run'),
    );
    expect(badUrl.stderr).toMatch(/CONFIG_INVALID: config fleet.url: must be an https:\/\/ URL/);

    const args = [
      'init',
      ...common,
      '--kiosk-id',
      'tokyo-shinjuku-03',
      '--site',
      'shinjuku',
      '--operator',
      'acme',
      '--state-dir',
      join(base, 'var'),
      '--run-dir',
      join(base, 'run'),
      '--json',
    ];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    const r1 = JSON.parse(first.stdout);
    expect(r1).toMatchObject({ keyCreated: true, configChanged: true });
    expect(statSync(r1.keyFile).mode & 0o777).toBe(0o600);
    const r2 = JSON.parse((await cli(...args)).stdout);
    expect(r2).toMatchObject({ keyCreated: false, configChanged: false, keyFingerprint: r1.keyFingerprint });
    const rename = await cli('init', ...common, '--kiosk-id', 'other-01');
    expect(rename.code).toBe(2);
    expect(rename.stderr).toMatch(/already provisioned as 'tokyo-shinjuku-03'.*--force/);
    const c = loadConfig(config);
    expect(c).toMatchObject({ kioskId: 'tokyo-shinjuku-03', site: 'shinjuku', operator: 'acme', audit: { db: join(base, 'var', 'audit.db') } });
  });

  const ca = createJpkiAuthCa();
  const caFile = join(base, 'jpki-auth-ca.pem');
  writeFileSync(caFile, ca.x509.toString());
  const fp = ca.x509.fingerprint256.replace(/:/g, '');

  it('trust add: shows the fingerprint and installs nothing until confirmed; refuses a mismatch; idempotent', async () => {
    const ask = await cli('trust', 'add', 'jpkiAuth', caFile, ...common);
    expect(ask.code).toBe(3);
    expect(ask.stdout).toContain(ca.x509.fingerprint256);
    expect(loadConfig(config).trust.jpkiAuth).toEqual([]);
    const wrong = await cli('trust', 'add', 'jpkiAuth', caFile, ...common, '--fingerprint', 'AA'.repeat(32));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/fingerprint mismatch/);
    const ok = await cli('trust', 'add', 'jpkiAuth', caFile, ...common, '--fingerprint', ca.x509.fingerprint256.toLowerCase());
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^added \[jpkiAuth\]/);
    expect(loadConfig(config).trust.jpkiAuth).toHaveLength(1);
    const again = await cli('trust', 'add', 'jpkiAuth', caFile, ...common, '--yes');
    expect(again.stdout).toMatch(/already installed/);
    expect(loadConfig(config).trust.jpkiAuth).toHaveLength(1);
  });

  it('trust: non-CA certificates refused, operator key and a CSCA master list stored, list and remove', async () => {
    const leafPem = selfSignedP256({ keyout: '/dev/null', subj: '/CN=leaf', days: 1, extra: ['-addext', 'basicConstraints=critical,CA:FALSE'] });
    writeFileSync(join(base, 'leaf.pem'), leafPem);
    const leaf = await cli('trust', 'add', 'license', join(base, 'leaf.pem'), ...common, '--yes');
    expect(leaf.stderr).toMatch(/TRUST_BASIC_CONSTRAINTS: .* is not a CA certificate/);

    const opKey = execFileSync('sh', ['-c', 'openssl ecparam -name prime256v1 -genkey -noout | openssl ec -pubout 2>/dev/null'], { encoding: 'utf8' });
    writeFileSync(join(base, 'operator.pub.pem'), opKey);
    expect((await cli('trust', 'add', 'operator', join(base, 'operator.pub.pem'), ...common, '--yes')).code).toBe(0);
    expect(loadConfig(config).audit.operatorKey).toBe(join(base, 'etc', 'operator.pem'));

    // a CMS signedData blob stands in for an ICAO master list (stored as a file for the passport module)
    const ml = Buffer.concat([Buffer.from('3082000a06092a864886f70d010702a0', 'hex'), Buffer.alloc(32, 7)]);
    writeFileSync(join(base, 'masterlist.ml'), ml);
    expect((await cli('trust', 'add', 'csca', join(base, 'masterlist.ml'), ...common, '--yes')).code).toBe(0);
    // the daemon finds it through trust.csca (it loads certificates and master lists from there)
    expect(loadConfig(config).trust.csca).toHaveLength(1);
    expect(loadConfig(config).trust.csca[0]).toMatch(/\.ml$/);

    const list = JSON.parse((await cli('trust', 'list', ...common, '--json')).stdout).anchors as { purpose: string; fingerprintSha256: string }[];
    expect(list.map((a) => a.purpose).sort()).toEqual(['cscaMasterList', 'jpkiAuth', 'operator']);
    expect(list.find((a) => a.purpose === 'jpkiAuth')!.fingerprintSha256).toBe(fp);

    const mlFp = list.find((a) => a.purpose === 'cscaMasterList')!.fingerprintSha256;
    expect((await cli('trust', 'remove', 'csca', mlFp.slice(0, 12), ...common)).code).toBe(0);
    expect(JSON.parse((await cli('trust', 'list', ...common, '--json')).stdout).anchors).toHaveLength(2);
    expect(loadConfig(config).trust.csca).toEqual([]);
  });

  it('crl: source configured, first sync imports; re-running keeps one source', async () => {
    const crlFile = join(base, 'jpki.crl');
    writeFileSync(crlFile, issueCrl(ca, { revoked: [] }));
    const r = await cli('crl', ...common, '--source', crlFile, '--issuer', caFile, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.outcomes[0].result).toBe('full');
    const again = JSON.parse((await cli('crl', ...common, '--source', crlFile, '--issuer', caFile, '--json')).stdout);
    expect(again.sources).toBe(1);
    expect(again.outcomes[0].result).toMatch(/unchanged|not-modified/);
  });

  it('enroll: CSR verifies with openssl and names the kiosk; only a certificate for this key and CA installs', async () => {
    const r = await cli('enroll', '--csr-out', ...common);
    expect(r.code).toBe(0);
    const csr = join(base, 'etc', 'device.csr');
    const text = openssl(['req', '-in', csr, '-noout', '-verify', '-text']);
    expect(text).toMatch(/Subject: O ?= ?acme, OU ?= ?shinjuku, CN ?= ?tokyo-shinjuku-03/);
    expect(text).toMatch(/URI:urn:idkiosk:acme:tokyo-shinjuku-03/);
    expect(text).toMatch(/ecdsa-with-SHA256/);
    // the operator's fleet CA signs it
    const d = mkdtempSync(join(tmpdir(), 'idkiosk-fleetca-'));
    selfSignedP256({ keyout: join(d, 'ca.key'), out: join(d, 'ca.pem'), subj: '/CN=Fleet CA', days: 30 });
    signCsr({ csr, ca: join(d, 'ca.pem'), caKey: join(d, 'ca.key'), out: join(d, 'device.crt'), days: 30 });
    // a certificate for some other key is refused
    selfSignedP256({ keyout: join(d, 'o.key'), out: join(d, 'other.crt'), subj: '/CN=x', days: 1 });
    const other = await cli('enroll', '--install', join(d, 'other.crt'), ...common);
    expect(other.stderr).toMatch(/certifies another key/);
    // the right certificate checked against the wrong CA is refused
    const wrongCa = await cli('enroll', '--install', join(d, 'device.crt'), '--ca', join(d, 'other.crt'), ...common);
    expect(wrongCa.stderr).toMatch(/was not issued by the fleet CA/);
    const ok = await cli('enroll', '--install', join(d, 'device.crt'), '--ca', join(d, 'ca.pem'), ...common);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/certificate installed: CN ?= ?tokyo-shinjuku-03|certificate installed: .*tokyo-shinjuku-03/);
    expect(loadConfig(config).device.certFile).toBe(join(base, 'etc', 'device.crt'));
    expect((await cli('enroll', '--install', join(d, 'device.crt'), ...common)).stdout).toMatch(/already installed/);
  });

  it('selftest on simulated hardware reports every check, with the running daemon in maintenance mode', async () => {
    const raw = JSON.parse(readFileSync(config, 'utf8'));
    raw.documents = ['mynumber-jpki-auth'];
    raw.server = { ...raw.server, port: await freePort() };
    raw.health = { ...raw.health, port: await freePort() };
    raw.api = { ...(raw.api ?? {}), enabled: false };
    writeFileSync(config, JSON.stringify(raw));
    const kiosk = await startKiosk({ config: loadConfig(config), simulated: true, version: 't' });
    const maintenanceSeen: boolean[] = [];
    kiosk.runtime.events.on('state', (s) => maintenanceSeen.push(s.blockedBy.includes('maintenance')));
    try {
      const r = await cli('selftest', '--simulated', ...common, '--json');
      const rep = JSON.parse(r.stdout) as { ok: boolean; maintenance: string; checks: { id: string; status: string; remediation?: string }[] };
      const byId = Object.fromEntries(rep.checks.map((c) => [c.id, c.status]));
      expect(Object.keys(byId).sort()).toEqual(
        [
          'audit',
          'card',
          'clock',
          'crl',
          'device-key',
          'disk',
          'file-ownership',
          'keypad',
          'pcscd',
          'printer',
          'printer-test-page',
          'reader',
          'sd-notify',
          'trust',
          'ui',
          'watchdog',
        ].sort(),
      );
      for (const id of [
        'device-key',
        'file-ownership',
        'pcscd',
        'reader',
        'card',
        'printer',
        'printer-test-page',
        'keypad',
        'ui',
        'disk',
        'crl',
        'trust',
        'audit',
        'sd-notify',
      ])
        expect(`${id}:${byId[id]}`).toBe(`${id}:PASS`);
      // no systemd here: the clock and the watchdog are reported honestly, not passed
      expect(byId.clock).not.toBe('PASS');
      expect(byId.watchdog).toBe('WARN');
      for (const c of rep.checks) if (c.status !== 'PASS') expect(c.remediation).toBeTruthy();
      expect(rep.ok).toBe(true);
      expect(r.code).toBe(0);
      expect(rep.maintenance).toBe('set');
      expect(maintenanceSeen).toContain(true);
      expect(kiosk.runtime.getState().blockedBy).not.toContain('maintenance');
      const st = await cli('status', ...common);
      expect(st.stdout).toMatch(/✓ init[\s\S]*✓ trust[\s\S]*✓ crl[\s\S]*✓ enroll-csr[\s\S]*✓ enroll[\s\S]*✓ selftest .*\(pass\)/);
    } finally {
      await kiosk.stop();
    }
  }, 30_000);
});
