/**
 * Refuses a query string that is not percent-encoded UTF-8 (a lone surrogate `%ED%A0%80`, an
 * overlong `%C0%AF`, a stray byte): 400 `REQUEST.INVALID` naming the parameter, before routing. The
 * platform's parser would turn such bytes into U+FFFD, so a free-text parameter (an operator's
 * customer search) would run on text the client never sent.
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerRequest } from "effect/http"
import { errorResponse } from "./ErrorResponses.ts"

const decodes = (raw: string): boolean => {
  try {
    decodeURIComponent(raw.replaceAll("+", " "))
    return true
  } catch {
    return false
  }
}

/** The first parameter (by its name as sent) whose name or value is not UTF-8, if any. */
export const invalidParameter = (url: string): string | undefined => {
  const start = url.indexOf("?")
  if (start < 0) return undefined
  const end = url.indexOf("#", start)
  const query = url.slice(start + 1, end < 0 ? undefined : end)
  for (const pair of query.split("&")) {
    if (pair === "") continue
    const eq = pair.indexOf("=")
    const name = eq < 0 ? pair : pair.slice(0, eq)
    const value = eq < 0 ? "" : pair.slice(eq + 1)
    if (!decodes(name)) return name
    if (!decodes(value)) return decodes(name) ? decodeURIComponent(name.replaceAll("+", " ")) : name
  }
  return undefined
}

/** Global middleware refusing query strings that are not UTF-8. */
export const middleware = HttpRouter.middleware(
  (httpEffect) =>
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const field = invalidParameter(request.url)
      return field === undefined
        ? httpEffect
        : Effect.succeed(
            errorResponse(400, {
              _tag: "BadRequest",
              code: "REQUEST.INVALID",
              message: `invalid query: ${field} is not UTF-8 text`,
              field
            })
          )
    }),
  { global: true }
)
