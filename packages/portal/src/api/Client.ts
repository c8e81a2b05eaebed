/**
 * The portal's client of the API: derived by effect's `HttpApiClient` from the one HttpApi
 * definition (`@securebase/http/api`, the browser-safe contract entry), so the portal cannot call
 * an endpoint or send a field the server does not have. Requests go to this origin with the
 * session cookie (the browser adds it); state-changing ones carry the session's CSRF token from
 * the readable `sb_csrf` cookie. Every failure becomes an `ApiFailure` with the API's stable code;
 * a 401 also tells the app the session is over.
 */
import { Api } from "@securebase/http/api"
import { Cause, Effect, Exit, ManagedRuntime } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import { HttpApiClient } from "effect/http-api"

/** The CSRF token of the current session (the cookie is readable on purpose; the session cookie is not). */
export const csrfToken = (): string => {
  const entry = document.cookie.split("; ").find((c) => c.startsWith("sb_csrf="))
  return entry === undefined ? "" : decodeURIComponent(entry.slice("sb_csrf=".length))
}

const makeClient = HttpApiClient.make(Api, {
  baseUrl: window.location.origin,
  transformClient: HttpClient.mapRequest((request) =>
    request.method === "GET" || request.method === "HEAD"
      ? request
      : HttpClientRequest.setHeader(request, "x-csrf-token", csrfToken())
  )
})

/** The typed client: one method per endpoint, grouped as the API is. */
export type Client = Effect.Success<typeof makeClient>

/** What a client method answers when it succeeds (decoded, as the contract says). */
export type Success<F> = Exclude<
  F extends (...args: Array<any>) => Effect.Effect<infer A, any, any> ? A : never,
  HttpClientResponse.HttpClientResponse | readonly [unknown, HttpClientResponse.HttpClientResponse]
>

const runtime = ManagedRuntime.make(FetchHttpClient.layer)
const client = runtime.runPromise(makeClient)

const statusOf: Record<string, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Unprocessable: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503
}

/** A failed call, in the API's terms. `status` 0: the server could not be reached or answered nonsense. */
export class ApiFailure extends Error {
  readonly status: number
  readonly code: string
  readonly field: string | undefined
  constructor(status: number, code: string, message: string, field?: string) {
    super(message)
    this.status = status
    this.code = code
    this.field = field
  }
}

const listeners = new Set<(failure: ApiFailure) => void>()

/** Called with every 401: the session expired, was revoked or was never there. */
export const onUnauthorized = (listener: (failure: ApiFailure) => void): (() => void) => {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

const toFailure = (error: unknown): ApiFailure => {
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const e = error as { _tag: string; code?: unknown; message?: unknown; field?: unknown }
    const status = statusOf[e._tag]
    if (status !== undefined && typeof e.code === "string") {
      return new ApiFailure(
        status,
        e.code,
        typeof e.message === "string" ? e.message : e.code,
        typeof e.field === "string" ? e.field : undefined
      )
    }
  }
  return new ApiFailure(0, "NETWORK", "The server could not be reached. Check your connection and try again.")
}

/** Runs one call of the typed client; rejects with an `ApiFailure`. */
export const call = async <A, E>(f: (client: Client) => Effect.Effect<A, E>): Promise<A> => {
  const exit = await runtime.runPromiseExit(
    Effect.flatMap(
      Effect.promise(() => client),
      f
    )
  )
  if (Exit.isSuccess(exit)) return exit.value
  const failure = toFailure(Cause.squash(exit.cause))
  if (failure.status === 401) for (const listener of listeners) listener(failure)
  throw failure
}
