/**
 * `npm run build:portal`: builds the customer portal (`packages/portal`, Vite) into
 * `packages/portal/dist`, which the server serves at `/portal`, unless it is already built from
 * the same sources. `npm start` and `npm test` run it first, so a fresh clone shows a working
 * portal and the browser tests test the current code; an unchanged tree costs one hash (~0.1 s).
 *
 * The sources are the portal's own files, the API contract and the core it imports (the portal's
 * client is derived from them), and the lockfile. `--force` rebuilds anyway. The gzip size of what
 * was built is printed (`--report` prints it without building when the build is current).
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { gzipSync } from "node:zlib"

const root = resolve(import.meta.dirname, "..")
const portal = join(root, "packages/portal")
const dist = join(portal, "dist")
const stamp = join(root, "build/portal.sha256")

const inputs = [
  "packages/portal/src",
  "packages/portal/public",
  "packages/portal/index.html",
  "packages/portal/vite.config.ts",
  "packages/portal/package.json",
  "packages/http/src",
  "packages/core/src",
  "package-lock.json"
]

const files = (path: string): Array<string> => {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .toSorted()
    .flatMap((name) => files(join(path, name)))
}

/** The hash of every input file's path and content. */
export const sourceHash = (): string => {
  const hash = createHash("sha256")
  for (const input of inputs)
    for (const file of files(join(root, input))) {
      hash.update(relative(root, file))
      hash.update("\0")
      hash.update(readFileSync(file))
      hash.update("\0")
    }
  return hash.digest("hex")
}

/** One built file and its sizes. */
export interface BuiltFile {
  readonly file: string
  readonly bytes: number
  readonly gzipBytes: number
}

/** The built files (JS, CSS, HTML) with their raw and gzip sizes (level 9, as the server sends them). */
export const report = (): Array<BuiltFile> =>
  files(dist)
    .filter((f) => /\.(js|css|html)$/.test(f))
    .map((f) => {
      const body = readFileSync(f)
      return { file: relative(dist, f), bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length }
    })

/** Builds unless `dist` was built from the current sources; answers whether it built. */
export const ensureBuilt = (options: { readonly force?: boolean } = {}): boolean => {
  const hash = sourceHash()
  const current =
    existsSync(join(dist, "index.html")) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash
  if (current && options.force !== true) return false
  execFileSync(
    process.execPath,
    [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"],
    {
      cwd: portal,
      // A production build whatever the caller's NODE_ENV (vitest sets "test", which would bundle React's development build).
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "inherit", "inherit"]
    }
  )
  mkdirSync(join(root, "build"), { recursive: true })
  writeFileSync(stamp, `${hash}\n`)
  return true
}

if (import.meta.main) {
  const built = ensureBuilt({ force: process.argv.includes("--force") })
  const rows = report()
  const total = rows.reduce((a, r) => ({ bytes: a.bytes + r.bytes, gzip: a.gzip + r.gzipBytes }), {
    bytes: 0,
    gzip: 0
  })
  console.log(`portal: ${built ? "built" : "up to date"} in packages/portal/dist`)
  for (const r of rows)
    console.log(
      `  ${r.file.padEnd(32)} ${(r.bytes / 1024).toFixed(1).padStart(7)} KiB   gzip ${(r.gzipBytes / 1024).toFixed(1).padStart(6)} KiB`
    )
  console.log(
    `  ${"total".padEnd(32)} ${(total.bytes / 1024).toFixed(1).padStart(7)} KiB   gzip ${(total.gzip / 1024).toFixed(1).padStart(6)} KiB`
  )
}
