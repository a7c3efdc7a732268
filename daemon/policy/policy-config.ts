// Config block `policies` (redefine or add policies) and `walkUpPolicy` (the policy a card placed without
// an integration-API request is read under; null = every enabled document, no policy). Validated with
// errors a technician can act on.
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import { BUILT_IN_POLICIES, DISCLOSURES, type Disclosure, type VerificationPolicy } from './policy.ts';

export interface PolicyConfig {
  policies: VerificationPolicy[];
  walkUpPolicy: string | null;
}

export const DEFAULT_POLICY_CONFIG: PolicyConfig = { policies: [...BUILT_IN_POLICIES], walkUpPolicy: null };

function fail(path: string, msg: string): never {
  throw new KioskError(ErrorCodes.CONFIG_INVALID, `config ${path}: ${msg}`, { field: path });
}

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const SETTINGS = ['documents', 'disclose', 'ageThreshold', 'acceptChipRead'];

export function parsePolicyConfig(policies: unknown, walkUp: unknown): PolicyConfig {
  const byName = new Map(BUILT_IN_POLICIES.map((p) => [p.name, p]));
  if (policies !== undefined) {
    if (typeof policies !== 'object' || policies === null || Array.isArray(policies)) fail('policies', 'must be an object of policy name → definition');
    for (const [name, raw] of Object.entries(policies as Record<string, unknown>)) {
      const path = `policies.${name}`;
      if (!NAME.test(name)) fail(path, 'policy names are lower-case letters, digits and -');
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, 'must be an object');
      const o = raw as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!SETTINGS.includes(k)) fail(`${path}.${k}`, `unknown setting (known: ${SETTINGS.join(', ')})`);
      const base = byName.get(name);
      const documents = o.documents ?? base?.documents;
      if (!Array.isArray(documents) || documents.length === 0 || documents.some((d) => typeof d !== 'string' || !/^[a-z0-9-]+$/.test(d))) {
        fail(`${path}.documents`, 'must be a non-empty list of document ids');
      }
      const disclose = o.disclose ?? base?.disclose ?? [];
      if (!Array.isArray(disclose) || disclose.some((d) => !DISCLOSURES.includes(d as Disclosure))) fail(`${path}.disclose`, `must be a list of ${DISCLOSURES.join(', ')}`);
      const age = o.ageThreshold === undefined ? (base?.ageThreshold ?? null) : o.ageThreshold;
      if (age !== null && (typeof age !== 'number' || !Number.isInteger(age) || age < 1 || age > 120)) fail(`${path}.ageThreshold`, 'must be null or an integer from 1 to 120');
      // An age policy discloses the yes/no answer only: anything carrying the birth date or the holder is refused.
      if (age !== null && (disclose as string[]).some((d) => d !== 'certificate')) fail(`${path}.disclose`, "an age policy may disclose at most 'certificate'");
      // Accepting unproven chip data is an explicit choice per policy (never inherited silently from nothing).
      const acceptChipRead = o.acceptChipRead === undefined ? (base?.acceptChipRead ?? false) : o.acceptChipRead;
      if (typeof acceptChipRead !== 'boolean') fail(`${path}.acceptChipRead`, 'must be true or false');
      // An age answer from data nobody proved is the forged-licence attack: age policies never accept chip-read.
      if (acceptChipRead && age !== null) fail(`${path}.acceptChipRead`, 'an age policy cannot accept chip-read results (the birth date would not be proven)');
      byName.set(name, { name, documents: [...(documents as string[])], disclose: [...(disclose as Disclosure[])], ageThreshold: age as number | null, acceptChipRead });
    }
  }
  let walkUpPolicy: string | null = null;
  if (walkUp !== undefined && walkUp !== null) {
    if (typeof walkUp !== 'string' || !byName.has(walkUp)) fail('walkUpPolicy', `must be null or one of ${[...byName.keys()].join(', ')}`);
    walkUpPolicy = walkUp;
  }
  return { policies: [...byName.values()], walkUpPolicy };
}
