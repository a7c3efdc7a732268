// The document flow under a policy: the session's policy (integration-API request, or the walk-up policy)
// narrows the documents the router tries, and the document's result is filtered and answered by the policy
// (apply-policy.ts). Without a policy the inner flow runs unchanged.
import { ErrorCodes, KioskError } from '../errors.ts';
import type { DocumentFlow, FlowContext } from '../kiosk/runtime.ts';
import { applyPolicy } from './apply-policy.ts';
import { legalMappingFor } from './legal-methods.ts';
import type { PolicyRegistry } from './policy.ts';

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
        // No policy: the result is unchanged, and still records the legal-method entries of its document.
        const view = await inner.run(ctx);
        return { ...view, policy: { name: null, age: null, legal: legalMappingFor(view.document) } };
      }
      const policy = o.policies.get(name);
      if (!policy) throw new KioskError(ErrorCodes.POLICY_UNKNOWN, 'the session names a policy this kiosk does not define', { policy: name });
      const documents = ctx.documents ? ctx.documents.filter((d) => policy.documents.includes(d)) : policy.documents;
      const view = await inner.run({ ...ctx, documents });
      return applyPolicy(policy, view, o.now());
    },
  };
}
