// The document flow under a policy: the session's policy (integration-API request, or the walk-up policy)
// narrows the documents the router tries, and the document's result is filtered and answered by the policy
// (apply-policy.ts). Every result — with or without a policy — first passes the verdict gate
// (verdict-gate.ts), so `verified` stands only for proven data and `chip-read` only where the policy
// accepts it; the screen, receipt, signed result and audit record all see the gated view.
import { ErrorCodes, KioskError } from '../../core/errors.ts';
import type { DocumentFlow, FlowContext } from '../kiosk/document-flow.ts';
import { applyPolicy } from './apply-policy.ts';
import { legalMappingFor } from './legal-methods.ts';
import type { PolicyRegistry } from './policy.ts';
import { gateVerdict } from './verdict-gate.ts';

export interface PolicyFlowOptions {
  policies: PolicyRegistry;
  /** The policy for sessions without an integration-API request (null: none). */
  walkUpPolicy: string | null;
  now: () => Date;
}

export function policyFlow(inner: DocumentFlow, o: PolicyFlowOptions): DocumentFlow {
  return {
    async run(ctx: FlowContext) {
      const name = ctx.policy ?? (ctx.documents ? null : o.walkUpPolicy);
      if (!name) {
        // No policy: nothing accepts chip-read; the result still records the legal-method entries of its document.
        const view = gateVerdict(await inner.run(ctx), { acceptChipRead: false });
        return { ...view, policy: { name: null, age: null, legal: legalMappingFor(view) } };
      }
      const policy = o.policies.get(name);
      if (!policy) throw new KioskError(ErrorCodes.POLICY_UNKNOWN, 'the session names a policy this kiosk does not define', { policy: name });
      const documents = ctx.documents ? ctx.documents.filter((d) => policy.documents.includes(d)) : policy.documents;
      const view = gateVerdict(await inner.run({ ...ctx, documents }), { acceptChipRead: policy.acceptChipRead });
      return applyPolicy(policy, view, o.now());
    },
  };
}
