// The certificate policies of a validated path (RFC 5280 §6.1.3–6.1.5, requireExplicitPolicy included),
// checked by chain.ts once a path reaches a trust anchor.
import { ErrorCodes } from '../../core/errors.ts';
import { ANY_POLICY, type Parsed, selfIssued } from './chain-checks.ts';
import { type AnchorRules, type ChainPolicy, fail, type Failure } from './chain-policy.ts';

/**
 * RFC 5280 §6.1.3 (d)–(f), §6.1.4 (h)–(i), §6.1.5 (a), (b), (g) over the path (leaf first, anchor not
 * included). Policy mappings and inhibitAnyPolicy are refused before this runs, so every node's
 * expected_policy_set is its own valid_policy and anyPolicy is always processed: the nodes of the valid
 * policy tree at each depth reduce to the set of their valid_policy OIDs, which is what is tracked here.
 */
export function checkPolicies(leafFirst: readonly [Parsed, ...Parsed[]], anchor: Parsed, rules: AnchorRules, policy: ChainPolicy): Failure | null {
  const certs = [...leafFirst].reverse();
  const n = certs.length;
  const userSet = policy.initialPolicySet ?? (policy.leafPolicy ? [policy.leafPolicy] : [ANY_POLICY]);
  let explicit = (policy.initialExplicitPolicy ?? policy.leafPolicy !== undefined) ? 0 : n + 1;
  // RFC 5937 §2: with the anchor's constraints applied, its requireExplicitPolicy counts from the anchor and
  // its certificatePolicies bound the tree from the start.
  const anchorRequire = rules.constraints ? (anchor.ext.policyConstraints?.requireExplicitPolicy ?? null) : null;
  if (anchorRequire !== null && anchorRequire < explicit) explicit = anchorRequire;
  const anchorPolicies = rules.constraints ? anchor.ext.policies : null;
  let valid: Set<string> | null = new Set(anchorPolicies && !anchorPolicies.includes(ANY_POLICY) ? anchorPolicies : [ANY_POLICY]);
  const nullTree = (c: Parsed) => fail(ErrorCodes.TRUST_POLICY, `no valid certificate policy at ${c.cert.subject} while an explicit policy is required`);
  for (const [i, c] of certs.entries()) {
    // (d), (e): a policy below a node of the same policy or of anyPolicy; anyPolicy keeps every node.
    const asserted = c.ext.policies;
    if (!asserted || !valid) valid = null;
    else {
      const next = new Set<string>();
      for (const p of asserted) if (p !== ANY_POLICY && (valid.has(p) || valid.has(ANY_POLICY))) next.add(p);
      if (asserted.includes(ANY_POLICY)) for (const p of valid) next.add(p);
      valid = next.size ? next : null;
    }
    // (f)
    if (explicit === 0 && !valid) return nullTree(c);
    const require = c.ext.policyConstraints?.requireExplicitPolicy ?? null;
    if (i < n - 1) {
      // §6.1.4 (h), (i)
      if (!selfIssued(c) && explicit > 0) explicit--;
      if (require !== null && require < explicit) explicit = require;
    } else {
      // §6.1.5 (a), (b)
      if (explicit > 0) explicit--;
      if (require === 0) explicit = 0;
    }
  }
  // §6.1.5 (g): the tree intersected with user-initial-policy-set.
  let final = valid;
  if (valid && !userSet.includes(ANY_POLICY)) {
    final = new Set([...valid].filter((p) => p !== ANY_POLICY && userSet.includes(p)));
    if (valid.has(ANY_POLICY)) for (const p of userSet) final.add(p);
  }
  if (explicit === 0 && !final?.size) return nullTree(leafFirst[0]);
  return null;
}
