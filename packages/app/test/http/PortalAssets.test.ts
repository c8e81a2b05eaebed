/**
 * The portal's static files over loopback, served from a directory laid out like a Vite build:
 * client routes get index.html with its security headers, hashed assets are cached for a year and
 * gzip-compressed, ETags answer 304, missing files are 404 (never the page), nothing outside the
 * directory is reachable, and an unbuilt portal says how to build it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { createServer, request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"
import { NodeHttpServer } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { PortalAssets } from "@securebase/http"
import { Context, Effect, Layer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"

const script = `console.log(${JSON.stringify("x".repeat(2000))})\n`

const fixture = () => {
  const root = mkdtempSync(join(tmpdir(), "portal-assets-"))
  const dir = join(root, "dist")
  mkdirSync(join(dir, "assets"), { recursive: true })
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><title>Portal</title><script src="/portal/assets/index-abc123.js"></script>'
  )
  writeFileSync(join(dir, "assets", "index-abc123.js"), script)
  writeFileSync(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>")
  writeFileSync(join(root, "secret.txt"), "outside the portal")
  return { root, dir }
}

const serve = (dir: string) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      HttpRouter.serve(PortalAssets.layer(dir), { disableLogger: true }).pipe(
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag === "UnixPathAddress") return yield* Effect.die("expected TCP")
    return address.port
  })

interface Raw {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: Buffer
}

// node:http sends the path exactly as written (fetch would normalize `..` away).
const raw = (port: number, path: string, headers: Record<string, string> = {}, method = "GET") =>
  Effect.promise(
    () =>
      new Promise<Raw>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path, method, headers }, (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (c: Buffer) => chunks.push(c))
          res.on("end", () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) })
          )
        })
        req.on("error", reject)
        req.end()
      })
  )

describe("the portal's static files", () => {
  it.effect(
    "client routes get index.html, no-cache, with a Content-Security-Policy",
    () =>
      Effect.gen(function* () {
        const port = yield* serve(fixture().dir)
        for (const path of [
          "/portal",
          "/portal/",
          "/portal/invoices",
          "/portal/invoices/0b6c-42?status=paid"
        ]) {
          const r = yield* raw(port, path)
          assert.strictEqual(r.status, 200, path)
          assert.strictEqual(r.headers["content-type"], "text/html; charset=utf-8")
          assert.include(r.body.toString(), "<title>Portal</title>")
          assert.strictEqual(r.headers["cache-control"], "no-cache")
          assert.strictEqual(r.headers["content-security-policy"], PortalAssets.contentSecurityPolicy)
          assert.strictEqual(r.headers["x-frame-options"], "DENY")
          assert.strictEqual(r.headers["x-content-type-options"], "nosniff")
        }
        assert.include(PortalAssets.contentSecurityPolicy, "default-src 'self'")
      }),
    30_000
  )

  it.effect(
    "/ redirects to the portal",
    () =>
      Effect.gen(function* () {
        const port = yield* serve(fixture().dir)
        const r = yield* raw(port, "/")
        assert.strictEqual(r.status, 302)
        assert.strictEqual(r.headers.location, "/portal/")
      }),
    30_000
  )

  it.effect(
    "hashed assets: the right type, cached a year, gzip when accepted, 304 on a matching ETag",
    () =>
      Effect.gen(function* () {
        const port = yield* serve(fixture().dir)
        const plain = yield* raw(port, "/portal/assets/index-abc123.js")
        assert.strictEqual(plain.status, 200)
        assert.strictEqual(plain.headers["content-type"], "text/javascript; charset=utf-8")
        assert.strictEqual(plain.headers["cache-control"], "public, max-age=31536000, immutable")
        assert.isUndefined(plain.headers["content-encoding"])
        assert.strictEqual(plain.body.toString(), script)
        const gz = yield* raw(port, "/portal/assets/index-abc123.js", { "accept-encoding": "gzip, br" })
        assert.strictEqual(gz.headers["content-encoding"], "gzip")
        assert.strictEqual(gz.headers.vary, "accept-encoding")
        assert.isBelow(gz.body.length, plain.body.length / 4)
        assert.strictEqual(gunzipSync(gz.body).toString(), script)
        const etag = plain.headers.etag as string
        assert.match(etag, /^"[A-Za-z0-9_-]+"$/)
        const again = yield* raw(port, "/portal/assets/index-abc123.js", { "if-none-match": etag })
        assert.strictEqual(again.status, 304)
        assert.strictEqual(again.body.length, 0)
        const svg = yield* raw(port, "/portal/favicon.svg")
        assert.strictEqual(svg.headers["content-type"], "image/svg+xml")
        assert.strictEqual(svg.headers["cache-control"], "no-cache")
        const head = yield* raw(port, "/portal/invoices", {}, "HEAD")
        assert.strictEqual(head.status, 200)
        assert.strictEqual(head.body.length, 0)
      }),
    30_000
  )

  it.effect(
    "a missing file is 404 in the API's error shape, never the page",
    () =>
      Effect.gen(function* () {
        const port = yield* serve(fixture().dir)
        for (const path of ["/portal/assets/index-zzz.js", "/portal/robots.txt", "/portal/assets/"]) {
          const r = yield* raw(port, path)
          assert.strictEqual(r.status, 404, path)
          assert.strictEqual(JSON.parse(r.body.toString()).code, "ROUTE.NOT_FOUND")
        }
      }),
    30_000
  )

  it.effect(
    "nothing outside the directory is reachable",
    () =>
      Effect.gen(function* () {
        const port = yield* serve(fixture().dir)
        for (const path of [
          "/portal/../secret.txt",
          "/portal/%2e%2e/secret.txt",
          "/portal/assets/..%2f..%2fsecret.txt",
          "/portal/..%5csecret.txt",
          "/portal//etc/passwd"
        ]) {
          const r = yield* raw(port, path)
          assert.notInclude(r.body.toString(), "outside the portal", path)
          assert.notInclude(r.body.toString(), "root:", path)
        }
      }),
    30_000
  )

  it.effect(
    "an unbuilt portal answers 503 naming the command that builds it",
    () =>
      Effect.gen(function* () {
        const port = yield* serve(join(fixture().root, "missing"))
        const r = yield* raw(port, "/portal/invoices")
        assert.strictEqual(r.status, 503)
        assert.include(r.body.toString(), "npm run build:portal")
      }),
    30_000
  )
})
