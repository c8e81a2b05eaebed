/**
 * Lambda entry of the billing run function (`index.handler` in its bundle): the EventBridge
 * schedule of the 1st of the month, 01:15 UTC (after USAGE_GRACE). `BILLING_CONCURRENCY` sets the customers billed in
 * parallel (default 4).
 */
import * as Container from "../Container.ts"
import * as Scheduled from "../Scheduled.ts"

/** This container's application (exported for tests and diagnostics). */
export const container = Container.make()

/** The Lambda handler. */
export const handler = Scheduled.billingRunHandler(container)
