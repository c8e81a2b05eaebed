/**
 * Domain errors → API errors. The core names what went wrong (with a stable code); this module
 * alone decides the status. Unknown and other tenants' objects are both 404: RLS makes them
 * indistinguishable, and the API must not tell them apart either.
 */
import type { AuthError as AuthErrors, PriceBook, TierLimit } from "@securebase/core"
import { Effect } from "effect"
import {
  Forbidden,
  NotFound,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  Unprocessable
} from "./ApiErrors.ts"

/** An authentication failure as the API answers it. */
export const fromAuthError = (
  error: AuthErrors.AuthError
): Unauthorized | TooManyRequests | ServiceUnavailable => {
  switch (error._tag) {
    case "TooManyAttempts": {
      const seconds = Math.max(1, Math.ceil(error.retryAfterMillis / 1000))
      return new TooManyRequests({
        code: error.code,
        message: `too many failed attempts; retry after ${seconds} s`,
        retryAfterSeconds: seconds
      })
    }
    case "AuthBackendUnavailable":
      return new ServiceUnavailable({
        code: error.code,
        message: "authentication is temporarily unavailable"
      })
    case "AuthenticationFailed":
      return new Unauthorized({ code: error.code, message: error.message })
  }
}

/** The plan's per-minute limit as the API answers it: 429, a code of its own, Retry-After. */
export const fromTierLimit = (error: TierLimit.TierRateLimitExceeded): TooManyRequests =>
  new TooManyRequests({
    code: error.code,
    message: `the ${error.plan} plan allows ${error.limit} requests per minute; retry after ${error.retryAfterSeconds} s`,
    retryAfterSeconds: error.retryAfterSeconds
  })

/**
 * A customer whose plan code no book of the deployment has (a plan withdrawn from the price book
 * while customers are still on it): 403 with its own code, wherever it is met (first by the
 * authentication middleware, since the plan's rate limit is one of its entitlements). The account
 * is entitled to nothing until an operator moves it to a plan of the book.
 */
export const fromUnknownPlan = (error: PriceBook.UnknownPlan): Forbidden =>
  new Forbidden({
    code: error.code,
    message: `the account's plan ${error.plan} is not in the price book; an operator must move it to a plan that is`
  })

/** 403 for a missing scope. */
export const forbidden = (scope: string) =>
  new Forbidden({ code: "AUTH.SCOPE_MISSING", message: `this key lacks the ${scope} scope` })

/** 404 for an object that does not exist for this tenant. */
export const notFound = (what: string, field = "id") =>
  new NotFound({
    code: `${what.toUpperCase().replace(/\s+/g, "_")}.NOT_FOUND`,
    message: `${what} not found`,
    field
  })

/**
 * 422 for stored data the request cannot be answered from: a stored usage event that breaks
 * today's rules, or a month whose usage prices beyond what an invoice can hold. The client's
 * request is fine, but retrying will not help until an operator voids the event the message names.
 */
export const unprocessable = (error: { readonly code: string; readonly message: string }) =>
  new Unprocessable({ code: error.code, message: error.message })

/** Turns any remaining failure into a defect (a 500 with a request id), for errors that are bugs. */
export const orDie = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.orDie(effect)
