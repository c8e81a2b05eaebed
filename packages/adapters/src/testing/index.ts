/**
 * @securebase/adapters/testing: test kits for the adapters, for this workspace's tests and for
 * deployments testing their own composition. Never used by production code.
 */

/** A STAND-IN for the Stripe API (the subset SecureBase uses), recording the SDK's requests. */
export * as StripeStandIn from "./StripeStandIn.ts"
