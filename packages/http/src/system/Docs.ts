/**
 * `GET /docs`: the API reference (Scalar), fully offline. Effect's Scalar page carries the OpenAPI
 * document and Scalar's bundled script inline; configured here to load no web fonts and to hide
 * the developer toolbar and the client button, whose "Share" and "Generate SDKs" talk to the
 * vendor's cloud. The page (3.3 MB) is sent gzip-compressed (about 0.9 MB) to clients that accept
 * it, compressed once per process.
 */
import { gzipSync } from "node:zlib"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiScalar } from "effect/http-api"
import { Api } from "../Api.ts"

/** Where the reference is served. */
export const path = "/docs"

/**
 * Scalar's settings. Some keys are newer than effect's `ScalarConfig` type; the page passes its
 * settings to Scalar as they are.
 */
export const scalarConfiguration = {
  layout: "modern",
  // Never fetch Inter and JetBrains Mono from fonts.scalar.com; use the system's fonts.
  withDefaultFonts: false,
  customCss:
    ":root { --scalar-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, monospace; }",
  showDeveloperTools: "never",
  hideClientButton: true,
  telemetry: false,
  authentication: { preferredSecurityScheme: "bearer" },
  defaultOpenAllTags: true
} as HttpApiScalar.ScalarConfig

// One compressed copy per body (the page's response is built once and reused).
const compressed = new WeakMap<Uint8Array, Uint8Array>()

// A route middleware, given to the page's route only: other requests never run it (as a global
// middleware it parsed every request's URL to find out it was not for the page).
const gzipPage = HttpRouter.middleware((httpEffect) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const response = yield* httpEffect
    if (!/\bgzip\b/.test(request.headers["accept-encoding"] ?? "")) return response
    const body = response.body
    if (body._tag !== "Uint8Array" || response.status !== 200) return response
    let gzipped = compressed.get(body.body)
    if (gzipped === undefined) {
      gzipped = gzipSync(body.body, { level: 9 })
      compressed.set(body.body, gzipped)
    }
    return HttpServerResponse.uint8Array(gzipped, {
      status: 200,
      contentType: body.contentType,
      headers: { ...response.headers, "content-encoding": "gzip", vary: "accept-encoding" }
    })
  })
)

/** The reference page, compressed. */
export const layer = HttpApiScalar.layer(Api, { path, scalar: scalarConfiguration }).pipe(
  Layer.provide(gzipPage.layer)
)
