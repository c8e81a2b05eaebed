/**
 * Events for the handlers, made from the samples AWS documents (in `test/events/`): each test
 * changes only the fields a request needs, so every other field stays as the gateway sends it.
 */
import { readFileSync } from "node:fs"

const sample = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../lambda/test/events/${name}`, import.meta.url), "utf8"))

/** A request as the tests describe it, sent the same way to the Node server and to Lambda. */
export interface RequestSpec {
  readonly method: string
  /** Path and optional query string, "/invoices?status=paid". */
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string
}

/** AWS's HTTP API payload 2.0 sample, carrying `spec` (API Gateway lower-cases header names). */
export const httpApiEvent = (spec: RequestSpec) => {
  const event = sample("apigw-v2-post.json")
  const [rawPath, rawQueryString = ""] = spec.path.split("?", 2) as [string, string?]
  event.rawPath = rawPath
  event.rawQueryString = rawQueryString
  event.requestContext.http.method = spec.method
  event.requestContext.http.path = rawPath
  event.routeKey = "ANY /{proxy+}"
  event.headers = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
  delete event.cookies
  delete event.queryStringParameters
  delete event.pathParameters
  if (spec.body === undefined) delete event.body
  else event.body = spec.body
  event.isBase64Encoded = false
  return event
}

/** AWS's REQUEST authorizer payload 2.0 sample, with an `Authorization` header when given. */
export const authorizerEvent = (authorization?: string, sourceIp = "198.51.100.7") => {
  const event = sample("authorizer-v2-request.json")
  event.requestContext.http.sourceIp = sourceIp
  if (authorization !== undefined) {
    event.headers.authorization = authorization
    event.identitySource = [authorization]
  } else {
    delete event.identitySource
  }
  return event
}

/** AWS's EventBridge scheduled event sample at `time`. */
export const scheduledEvent = (time?: string, detail?: Record<string, unknown>) => {
  const event = sample("eventbridge-scheduled.json")
  if (time !== undefined) event.time = time
  if (detail !== undefined) event.detail = detail
  return event
}
