/**
 * @securebase/lambda: the AWS Lambda event adapters. They turn API Gateway events into what the
 * rest of SecureBase speaks (a fetch `Request` for the one HttpApi, a credential for the
 * `Authenticator`) and back; `@securebase/app` composes them into the deployed functions.
 */

/** API Gateway HTTP API (payload 2.0) events ↔ fetch `Request` / `Response`. */
export * as ApiGatewayV2 from "./ApiGatewayV2.ts"
/** The HTTP API REQUEST authorizer (payload 2.0, simple responses) over the `Authenticator`. */
export * as Authorizer from "./Authorizer.ts"
