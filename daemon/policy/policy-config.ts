// Config block `policies` (redefine or add policies) and `walkUpPolicy` (the policy a card placed without
// an integration-API request is read under; null = every enabled document, no policy): their schemas,
// and the merge with the built-in policies, with errors a technician can act on.
import * as z from 'zod';
import { bool, int, object, parseWith } from '../config/schema-kit.ts';
import { BUILT_IN_POLICIES, DISCLOSURES, type VerificationPolicy } from './policy.ts';

export interface PolicyConfig {
  policies: VerificationPolicy[];
  walkUpPolicy: string | null;
}

export const DEFAULT_POLICY_CONFIG: PolicyConfig = { policies: [...BUILT_IN_POLICIES], walkUpPolicy: null };

const DOC_IDS_HINT = 'must be a non-empty list of document ids';
const DISCLOSE_HINT = `must be a list of ${DISCLOSURES.join(', ')}`;
export const documentIds = z
  .array(z.string({ error: DOC_IDS_HINT }).regex(/^[a-z0-9-]+$/, { error: DOC_IDS_HINT }), { error: DOC_IDS_HINT })
  .min(1, { error: DOC_IDS_HINT });

/** One policy as written in the file: every setting may be left to the built-in policy of the same name. */
const policyEntry = object({
  documents: documentIds.optional(),
  disclose: z.array(z.enum(DISCLOSURES, { error: DISCLOSE_HINT }), { error: DISCLOSE_HINT }).optional(),
  ageThreshold: int(1, 120).nullable().optional(),
  acceptChipRead: bool().optional(),
});

/** The `policies` and `walkUpPolicy` keys of the config file (both at its top level). */
export const policyKeys = {
  policies: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'policy names are lower-case letters, digits and -' }), policyEntry, {
      error: 'must be an object of policy name → definition',
    })
    .optional(),
  walkUpPolicy: z.string({ error: 'must be null or a policy name' }).nullable().optional(),
};

type PolicyKeys = { policies?: Record<string, z.output<typeof policyEntry>> | undefined; walkUpPolicy?: string | null | undefined };

/** Built-ins merged with the configured policies; rules across settings are checked on the merged result. */
export function resolvePolicies(v: PolicyKeys, ctx: z.RefinementCtx): PolicyConfig {
  const byName = new Map(BUILT_IN_POLICIES.map((p) => [p.name, p]));
  const refuse = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  for (const [name, o] of Object.entries(v.policies ?? {})) {
    const base = byName.get(name);
    const documents = o.documents ?? base?.documents;
    if (!documents) refuse(['policies', name, 'documents'], DOC_IDS_HINT);
    const disclose = o.disclose ?? base?.disclose ?? [];
    const ageThreshold = o.ageThreshold === undefined ? (base?.ageThreshold ?? null) : o.ageThreshold;
    // An age policy discloses the yes/no answer only: anything carrying the birth date or the holder is refused.
    if (ageThreshold !== null && disclose.some((d) => d !== 'certificate'))
      refuse(['policies', name, 'disclose'], "an age policy may disclose at most 'certificate'");
    // Accepting unproven chip data is an explicit choice per policy (never inherited silently from nothing).
    const acceptChipRead = o.acceptChipRead ?? base?.acceptChipRead ?? false;
    // An age answer from data nobody proved is the forged-licence attack: age policies never accept chip-read.
    if (acceptChipRead && ageThreshold !== null) {
      refuse(['policies', name, 'acceptChipRead'], 'an age policy cannot accept chip-read results (the birth date would not be proven)');
    }
    byName.set(name, { name, documents: [...(documents ?? [])], disclose: [...disclose], ageThreshold, acceptChipRead });
  }
  const walkUpPolicy = v.walkUpPolicy ?? null;
  if (walkUpPolicy !== null && !byName.has(walkUpPolicy)) refuse(['walkUpPolicy'], `must be null or one of ${[...byName.keys()].join(', ')}`);
  return { policies: [...byName.values()], walkUpPolicy };
}

const policySchema = z.object(policyKeys).transform(resolvePolicies);

/** `policies` and `walkUpPolicy` alone (tests); the daemon parses them as part of the whole file. */
export function parsePolicyConfig(policies: unknown, walkUp: unknown): PolicyConfig {
  return parseWith(policySchema, { policies, walkUpPolicy: walkUp });
}
