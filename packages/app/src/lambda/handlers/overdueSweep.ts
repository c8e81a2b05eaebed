/** Lambda entry of the overdue sweep function (`index.handler` in its bundle): a daily EventBridge schedule. */
import * as Container from "../Container.ts"
import * as Scheduled from "../Scheduled.ts"

/** This container's application (exported for tests and diagnostics). */
export const container = Container.make()

/** The Lambda handler. */
export const handler = Scheduled.overdueSweepHandler(container)
