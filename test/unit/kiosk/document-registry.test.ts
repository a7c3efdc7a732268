// Adding a document type touches no file under daemon/kiosk/ (issue 22). A document the kiosk has never
// heard of — a test-only "library card" — is registered through the public document registry exactly as a
// real one is (handler + DocumentResultType), and a session runs to its result through the real runtime,
// the router and the verdict gate: the state machine carries the result, the contract names it for the
// receipt, the signed API result and the audit record, and the gate withholds its display view on a
// refusal although no list in the daemon names that view (fail closed). The import-boundary test
// (test/unit/layers) checks that daemon/kiosk/ imports no document module.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SimulatedReaderDriver } from '../../../drivers/reader/simulated-binding.ts';
import type { VirtualCard } from '../../../drivers/sim/virtual-card.ts';
import { sessionFacts } from '../../../daemon/audit/record.ts';
import type { DocumentHandlerFactory } from '../../../daemon/documents/document-handler.ts';
import { DOCUMENTS, registerDocument } from '../../../daemon/documents/registry.ts';
import { routingFlow } from '../../../daemon/documents/router.ts';
import { KioskRuntime } from '../../../daemon/kiosk/runtime.ts';
import type { KioskState } from '../../../daemon/kiosk/session-machine.ts';
import { policyFlow } from '../../../daemon/policy/policy-flow.ts';
import { policyRegistry } from '../../../daemon/policy/policy.ts';
import { documentKind, holderNameOf, personalDataOf } from '../../../daemon/result/document-types.ts';
import type { ResultView } from '../../../daemon/result/result-view.ts';
import { TrustStore } from '../../../daemon/trust/trust-store.ts';

const ID = 'test-library-card';
// ISO/IEC 7816-5: an AID starting with F is a proprietary, unregistered one — no real card answers it.
const AID = Buffer.from('F0746573746C6962', 'hex');

/** The card side, just enough ISO 7816-4: SELECT by AID (P2 0C) and READ BINARY of one file. */
function libraryCard(file: string): VirtualCard {
  let selected = false;
  const data = Buffer.from(file, 'utf8');
  return {
    atr: Buffer.from('3B8880010000000000000000', 'hex'),
    reset: () => {
      selected = false;
    },
    process(apdu) {
      const [cla, ins, p1, p2, lc] = apdu;
      if (cla !== 0x00) return Buffer.from('6E00', 'hex');
      if (ins === 0xa4 && p1 === 0x04 && p2 === 0x0c) {
        selected = lc === AID.length && apdu.subarray(5, 5 + AID.length).equals(AID);
        return Buffer.from(selected ? '9000' : '6A82', 'hex');
      }
      if (ins === 0xb0 && selected) return Buffer.concat([data, Buffer.from('9000', 'hex')]);
      return Buffer.from('6D00', 'hex');
    },
  };
}

/** The document's own display view, typed beside its document as every document does. */
interface LibraryView {
  member: string;
}
type LibraryResultView = ResultView & { library?: LibraryView };

/** File content "<member>;<seal>": seal "ok" stands in for a proof of authenticity, anything else is unproven. */
const libraryHandler: DocumentHandlerFactory = () => ({
  id: ID,
  detect: async (session) => (await session.selectAid(AID)) === 0x9000,
  async run(ctx) {
    ctx.progress('read-info');
    const [member = '', seal] = (await ctx.session.readBinary(0, 64, 'library file')).toString('utf8').split(';');
    const view: LibraryResultView = {
      outcome: 'verified',
      authenticity: seal === 'ok' ? 'proven' : 'chip-read',
      holderBinding: 'none',
      document: ID,
      reasons: [],
      checks: { seal: seal === 'ok' ? 'valid' : 'unverified' },
      library: { member },
    };
    return view;
  },
});

const off = registerDocument({
  id: ID,
  handler: libraryHandler,
  results: [
    {
      id: ID,
      documentType: 'library-card',
      method: 'chip-seal',
      personalData: (r) => ({ name: (r as LibraryResultView).library?.member ?? null, dateOfBirth: null, address: null }),
    },
  ],
});
afterAll(() => off());

let runtime: KioskRuntime | null = null;
afterEach(async () => {
  await runtime?.stop();
  runtime = null;
});

async function session(file: string): Promise<ResultView> {
  const reader = new SimulatedReaderDriver();
  const handler = DOCUMENTS.get(ID)!({
    trust: () => new TrustStore([]),
    revocation: { check: () => Promise.reject(new Error('no certificate to check')) },
    now: () => new Date(),
  });
  const flow = policyFlow(routingFlow([handler]), { policies: policyRegistry([]), walkUpPolicy: null, now: () => new Date() });
  runtime = new KioskRuntime({ reader, flow });
  runtime.start();
  reader.insert(libraryCard(file));
  let s: KioskState = runtime.getState();
  for (const end = Date.now() + 10_000; s.phase !== 'result' && Date.now() < end; await new Promise((r) => setTimeout(r, 5))) s = runtime.getState();
  expect(s.phase).toBe('result');
  return s.result!;
}

describe('a document type added through the registry alone', () => {
  it('runs a session to its result, named by its own result type for receipt, API and audit', async () => {
    const result = await session('M-0042;ok');
    expect(result).toMatchObject({ outcome: 'verified', authenticity: 'proven', document: ID, library: { member: 'M-0042' } });
    expect(documentKind(result)).toEqual({ documentType: 'library-card', method: 'chip-seal' });
    expect(holderNameOf(result)).toBe('M-0042');
    expect(personalDataOf(result)).toEqual({ name: 'M-0042', dateOfBirth: null, address: null });
    const facts = sessionFacts(1, result, { kioskId: 'k', site: null, operator: null, softwareVersion: '0', revocationSource: 'none' }, new Date(0));
    expect(facts).toMatchObject({ document: ID, method: 'chip-seal', verdict: 'verified', checks: { seal: 'valid' } });
  });

  it('has its display view withheld on a refusal, though no list in the daemon names it', async () => {
    const result = await session('M-0042;forged');
    expect(result).toMatchObject({ outcome: 'refused', authenticity: 'chip-read', document: ID, reasons: ['DOCUMENT_NOT_PROVEN'] });
    expect(result).not.toHaveProperty('library');
    expect(JSON.stringify(result)).not.toContain('M-0042');
  });

  it('is gone again after unregistering (the registry is the only place that knew it)', () => {
    const again = registerDocument({ id: `${ID}-2`, handler: libraryHandler, results: [{ id: `${ID}-2`, documentType: 'x', method: 'y' }] });
    expect(documentKind({ document: `${ID}-2` })).toEqual({ documentType: 'x', method: 'y' });
    again();
    expect(DOCUMENTS.has(`${ID}-2`)).toBe(false);
    expect(documentKind({ document: `${ID}-2` })).toEqual({ documentType: `${ID}-2`, method: 'chip' });
    expect(() => registerDocument({ id: ID, handler: libraryHandler, results: [] })).toThrow(/registered twice/);
  });
});
