/**
 * Lambda entry of the authorizer function (`index.handler` in its bundle): HTTP API REQUEST
 * authorizer events, payload 2.0, simple responses.
 */
import { Authorizer } from "@securebase/lambda"
import * as Container from "../Container.ts"

/** This container's application (exported for tests and diagnostics). */
export const container = Container.make()

/** The Lambda handler. */
export const handler = async (event: unknown): Promise<Authorizer.SimpleResponse> =>
  (await container.get()).run(Authorizer.authorize(event))
