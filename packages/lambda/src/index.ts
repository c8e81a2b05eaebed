/** API Gateway HTTP API (payload 2.0) events ↔ fetch `Request` / `Response`. */
export * as ApiGatewayV2 from "./ApiGatewayV2.ts"
/** The API handler: one web handler per container over the HttpApi. */
export * as ApiHandler from "./ApiHandler.ts"
/** The HTTP API REQUEST authorizer (payload 2.0, simple responses). */
export * as Authorizer from "./Authorizer.ts"
/** A container's memoized start: secrets, configuration, services. */
export * as Container from "./Container.ts"
/** The ports of the scheduled jobs. */
export * as Jobs from "./Jobs.ts"
/** The scheduled jobs: billing run and overdue sweep. */
export * as Scheduled from "./Scheduled.ts"
/** Secrets Manager overlay of the environment. */
export * as Secrets from "./Secrets.ts"
