/**
 * The customer portal's static files (the Vite build of `packages/portal`) at `/portal`, and `/`
 * redirecting there. Files are read once, when the layer is built, into memory (the build is a few
 * hundred kilobytes), so a request never touches the file system and no path can escape the
 * directory: a request is a lookup in the table of files that were read.
 *
 * - `/portal/assets/*` are content-hashed: cached for a year, `immutable`; an unknown one is 404.
 * - Any other path without a file extension is a client-side route: it gets `index.html`
 *   (`no-cache`, with a Content-Security-Policy that allows nothing but this server).
 * - Text files are gzip-compressed once, at load, for clients that accept it; every file has an
 *   ETag, and `If-None-Match` answers 304.
 * - When the directory has no `index.html` (the portal was not built), `/portal` answers 503 with
 *   the command that builds it.
 */
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { extname, join, relative, sep } from "node:path"
import { gzipSync } from "node:zlib"
import { Effect } from "effect"
import { HttpRouter, type HttpServerRequest, HttpServerResponse } from "effect/http"

/** Where the portal is served. */
export const basePath = "/portal"

/** The policy of the portal's page: scripts, styles, images and requests from this server only. */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join("; ")

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2"
}

const compressible = new Set([
  ".html",
  ".js",
  ".mjs",
  ".css",
  ".json",
  ".map",
  ".svg",
  ".webmanifest",
  ".txt"
])

/** One file, ready to send. */
interface Asset {
  readonly body: Uint8Array
  readonly gzipped: Uint8Array | undefined
  readonly contentType: string
  readonly etag: string
  readonly immutable: boolean
}

const walk = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })

/** Reads every file under `dir` (empty when it does not exist), keyed by its path relative to `dir`. */
export const load = (dir: string): ReadonlyMap<string, Asset> => {
  const assets = new Map<string, Asset>()
  if (!existsSync(dir)) return assets
  for (const path of walk(dir)) {
    const key = relative(dir, path).split(sep).join("/")
    const extension = extname(path)
    const body = new Uint8Array(readFileSync(path))
    assets.set(key, {
      body,
      gzipped: compressible.has(extension) && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined,
      contentType: contentTypes[extension] ?? "application/octet-stream",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
      immutable: key.startsWith("assets/")
    })
  }
  return assets
}

const notBuilt = HttpServerResponse.text(
  "The customer portal is not built. Run `npm run build:portal` (npm start does it for you), then reload.\n",
  { status: 503, headers: { "cache-control": "no-store" } }
)

const notFound = HttpServerResponse.jsonUnsafe(
  { _tag: "NotFound", code: "ROUTE.NOT_FOUND", message: "no such file" },
  { status: 404 }
)

const send = (request: HttpServerRequest.HttpServerRequest, asset: Asset, isPage: boolean) => {
  const headers: Record<string, string> = {
    etag: asset.etag,
    "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer"
  }
  if (isPage) {
    headers["content-security-policy"] = contentSecurityPolicy
    headers["x-frame-options"] = "DENY"
  }
  if (asset.gzipped !== undefined) headers.vary = "accept-encoding"
  if (request.headers["if-none-match"] === asset.etag)
    return HttpServerResponse.empty({ status: 304, headers })
  const gzip = asset.gzipped !== undefined && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "")
  if (gzip) headers["content-encoding"] = "gzip"
  return HttpServerResponse.uint8Array(gzip ? asset.gzipped! : asset.body, {
    status: 200,
    contentType: asset.contentType,
    headers
  })
}

/** The response to a request for `pathname` (under `/portal`) from the files of `assets`. */
export const respond = (
  assets: ReadonlyMap<string, Asset>,
  request: HttpServerRequest.HttpServerRequest,
  pathname: string
): HttpServerResponse.HttpServerResponse => {
  const index = assets.get("index.html")
  if (index === undefined) return notBuilt
  const rest = pathname === basePath ? "" : pathname.slice(basePath.length + 1)
  const file = assets.get(rest)
  if (file !== undefined) return send(request, file, rest === "index.html")
  const last = rest.split("/").pop() ?? ""
  // A missing file (hashed asset or anything with an extension) is 404, never the page.
  if (rest.startsWith("assets/") || last.includes(".")) return notFound
  return send(request, index, true)
}

/** The routes: `/` redirects to the portal; `/portal` and everything under it serve `dir`. */
export const layer = (dir: string) =>
  HttpRouter.use(
    Effect.fnUntraced(function* (router) {
      const assets = load(dir)
      const handler = (request: HttpServerRequest.HttpServerRequest) =>
        Effect.succeed(respond(assets, request, new URL(request.url, "http://local").pathname))
      yield* router.add("GET", "/", HttpServerResponse.redirect(`${basePath}/`, { status: 302 }))
      // Also matches `/portal` itself.
      yield* router.add("GET", `${basePath}/*`, handler)
    })
  )
