/**
 * Lambda entry of the API function (`index.handler` in its bundle): API Gateway HTTP API events,
 * payload 2.0. The container and its web handler are built at the first invocation and reused by
 * every warm one.
 */
import type { ApiGatewayV2 } from "@securebase/lambda"
import * as ApiHandler from "../ApiHandler.ts"
import * as Container from "../Container.ts"

/** This container's application (exported for tests and diagnostics). */
export const container = Container.make()

/** The API handler of this container. */
export const api = ApiHandler.make(container)

/** The Lambda handler. */
export const handler: (event: unknown) => Promise<ApiGatewayV2.HttpApiResult> = api.handler
