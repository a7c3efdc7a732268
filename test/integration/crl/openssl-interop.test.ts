// CRLs made by `openssl ca -gencrl` import with exactly the serials `openssl crl -text` lists.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { CrlStore } from '../../../daemon/trust/crl/store.ts';
import { CrlRevocationChecker } from '../../../daemon/trust/crl/checker.ts';
import { csrP256, openssl, selfSignedP256 } from '../../harness/openssl.ts';

const CNF = `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ./ca
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = ./ca.pem
private_key = ./ca.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_crl_days = 7
default_days = 30
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ crl_ext ]
authorityKeyIdentifier = keyid:always
`;

describe('openssl ca -gencrl interop', () => {
  it('imports exactly the serials openssl lists, with their reasons', async () => {
    const d = mkdtempSync(join(tmpdir(), 'idkiosk-crl-openssl-'));
    const run = (...a: string[]) => openssl(a, { cwd: d });
    mkdirSync(join(d, 'ca', 'newcerts'), { recursive: true });
    writeFileSync(join(d, 'ca', 'index.txt'), '');
    writeFileSync(join(d, 'ca', 'serial'), '00F1\n'); // leading zero byte in the issued serials
    writeFileSync(join(d, 'ca', 'crlnumber'), '1000\n');
    writeFileSync(join(d, 'ca.cnf'), CNF);
    selfSignedP256({
      keyout: 'ca.key',
      out: 'ca.pem',
      subj: '/CN=Interop CA/O=idkiosk',
      days: 30,
      extra: ['-config', 'ca.cnf', '-extensions', 'v3_ca'],
      cwd: d,
    });
    const leaves: string[] = [];
    for (let i = 0; i < 5; i++) {
      csrP256({ keyout: `l${i}.key`, out: `l${i}.csr`, subj: `/CN=leaf${i}`, cwd: d });
      run('ca', '-batch', '-config', 'ca.cnf', '-in', `l${i}.csr`, '-out', `l${i}.pem`);
      leaves.push(`l${i}.pem`);
    }
    run('ca', '-config', 'ca.cnf', '-revoke', 'l0.pem', '-crl_reason', 'keyCompromise');
    run('ca', '-config', 'ca.cnf', '-revoke', 'l2.pem', '-crl_reason', 'superseded');
    run('ca', '-config', 'ca.cnf', '-revoke', 'l3.pem');
    run('ca', '-gencrl', '-config', 'ca.cnf', '-crlexts', 'crl_ext', '-out', 'crl.pem');
    run('crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der');
    const text = run('crl', '-in', 'crl.der', '-inform', 'DER', '-text', '-noout');
    const listed = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1]!.toLowerCase().replace(/^0+/, ''));
    expect(listed).toHaveLength(3);

    const store = new CrlStore(join(d, 'db'), { recheckMs: 0 });
    const ca = new X509Certificate(readFileSync(join(d, 'ca.pem')));
    const r = store.import(join(d, 'crl.der'), ca);
    expect(r).toMatchObject({ kind: 'full', crlNumber: '1000', entries: 3 });
    const stored = [...store.listRevoked(r.issuerId).keys()].map((s) => s.replace(/^0+/, ''));
    expect(stored.sort()).toEqual([...listed].sort());

    const checker = new CrlRevocationChecker({ store });
    const status = await Promise.all(leaves.map((l) => checker.check(new X509Certificate(readFileSync(join(d, l))), ca)));
    expect(status.map((s) => s.status)).toEqual(['revoked', 'good', 'revoked', 'revoked', 'good']);
    expect(status[0]).toMatchObject({ reason: 'keyCompromise' });
    expect(status[2]).toMatchObject({ reason: 'superseded' });
    store.close();
  });
});
