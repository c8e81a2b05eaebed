/**
 * `npm run build:lambda`: one esbuild bundle per Lambda function, zip-ready, in `build/lambda/`:
 *
 *   build/lambda/<function>/index.mjs   (the handler is `index.handler`; template.yaml's CodeUri)
 *   build/lambda/<function>.zip         (the same file zipped, for uploads without SAM)
 *
 * - ESM for Node 24 (the `nodejs24.x` runtime: the Node this workspace runs its tests on),
 *   minified, with a `require` shim for the CommonJS parts of dependencies; the AWS SDK is
 *   bundled (the pinned version, not the runtime's copy).
 * - The embedded PGlite (WebAssembly + data files, megabytes) is replaced by a stub that explains
 *   itself: on Lambda the database is PostgreSQL through `DATABASE_URL` (RDS Proxy).
 * - The zip is written by the small writer below (Node's zlib deflate + crc32), with fixed
 *   timestamps, so the build needs no `zip` binary and the same sources give the same bytes.
 * - The `api` function serves the customer portal from its own bundle: the portal's build
 *   (`packages/portal/dist`, built first when stale) is copied to `build/lambda/api/portal/`, where
 *   the app looks for it, and zipped with `index.mjs` (a few hundred kilobytes; no S3 bucket, no
 *   CloudFront to keep in step with the API).
 * - The functions that draw invoice PDFs (api, billing-run, overdue-sweep) carry the PDF's fonts
 *   (`packages/http/assets/fonts`, DejaVu Sans and its licence) in `fonts/`, zipped likewise.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { crc32, deflateRawSync } from "node:zlib"
import { build, type Plugin } from "esbuild"
import { ensureBuilt } from "./build-portal.ts"

const root = resolve(import.meta.dirname, "..")

/** The functions: output directory → entry file. */
export const functions = {
  api: "packages/app/src/lambda/handlers/api.ts",
  authorizer: "packages/app/src/lambda/handlers/authorizer.ts",
  "billing-run": "packages/app/src/lambda/handlers/billingRun.ts",
  "overdue-sweep": "packages/app/src/lambda/handlers/overdueSweep.ts"
} as const

const pgliteStub: Plugin = {
  name: "pglite-stub",
  setup(b) {
    b.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: "pglite", namespace: "pglite-stub" }))
    b.onLoad({ filter: /.*/, namespace: "pglite-stub" }, () => ({
      loader: "js",
      contents: `
const reason = "the embedded PGlite is not bundled for Lambda: set DATABASE_URL (the RDS Proxy endpoint)"
export const types = { INT8: 20 }
export class PGlite {
  static create() { return Promise.reject(new Error(reason)) }
  constructor() { throw new Error(reason) }
}`
    }))
  }
}

/** One file of a zip archive. */
export interface ZipEntry {
  readonly name: string
  readonly data: Uint8Array
}

/** A zip archive of `entries`, deflated, with fixed timestamps (1980-01-01 00:00). */
export const zip = (entries: ReadonlyArray<ZipEntry>): Buffer => {
  const locals: Array<Buffer> = []
  const centrals: Array<Buffer> = []
  let offset = 0
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8")
    const compressed = deflateRawSync(entry.data, { level: 9 })
    const crc = crc32(entry.data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt16LE(0, 10) // time 00:00
    local.writeUInt16LE(0x21, 12) // date 1980-01-01
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(compressed.length, 18)
    local.writeUInt32LE(entry.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(0x0314, 4) // made by: Unix, 2.0
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt16LE(0, 12)
    central.writeUInt16LE(0x21, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(compressed.length, 20)
    central.writeUInt32LE(entry.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38) // -rw-r--r--
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, compressed)
    centrals.push(central, name)
    offset += local.length + name.length + compressed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

/** The function whose bundle carries the portal, and where in it. */
export const portal = { function: "api", dir: "portal" } as const

/**
 * The functions that draw invoice PDFs (the API's download, the jobs' e-mail attachments) carry
 * the PDF's fonts in `fonts/` beside the bundle, where the renderer looks first.
 */
export const fonts = { functions: ["api", "billing-run", "overdue-sweep"], dir: "fonts" } as const

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir)
    .toSorted()
    .flatMap((name) =>
      statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]
    )

/** What was built for one function. */
export interface Artifact {
  readonly name: string
  readonly dir: string
  readonly bundleBytes: number
  readonly zipBytes: number
}

/** Builds every function into `outDir` (default `build/lambda`). */
export const buildAll = async (outDir: string = join(root, "build/lambda")): Promise<Array<Artifact>> => {
  rmSync(outDir, { recursive: true, force: true })
  ensureBuilt()
  return Promise.all(
    Object.entries(functions).map(async ([name, entry]) => {
      const dir = join(outDir, name)
      const outfile = join(dir, "index.mjs")
      mkdirSync(dirname(outfile), { recursive: true })
      await build({
        entryPoints: [join(root, entry)],
        outfile,
        bundle: true,
        platform: "node",
        target: "node24",
        format: "esm",
        minify: true,
        legalComments: "none",
        logLevel: "warning",
        plugins: [pgliteStub],
        banner: {
          js: 'import { createRequire as __sbCreateRequire } from "node:module"; const require = __sbCreateRequire(import.meta.url);'
        }
      })
      const extra: Array<ZipEntry> = []
      if (name === portal.function) {
        const target = join(dir, portal.dir)
        cpSync(join(root, "packages/portal/dist"), target, { recursive: true })
        for (const file of filesUnder(target))
          extra.push({ name: relative(dir, file).split(sep).join("/"), data: readFileSync(file) })
      }
      if ((fonts.functions as ReadonlyArray<string>).includes(name)) {
        const target = join(dir, fonts.dir)
        cpSync(join(root, "packages/http/assets/fonts"), target, { recursive: true })
        for (const file of filesUnder(target))
          extra.push({ name: relative(dir, file).split(sep).join("/"), data: readFileSync(file) })
      }
      const archive = zip([{ name: "index.mjs", data: readFileSync(outfile) }, ...extra])
      writeFileSync(join(outDir, `${name}.zip`), archive)
      return { name, dir, bundleBytes: statSync(outfile).size, zipBytes: archive.length }
    })
  )
}

if (import.meta.main) {
  const artifacts = await buildAll()
  for (const a of artifacts) {
    console.log(
      `${a.name.padEnd(14)} index.mjs ${(a.bundleBytes / 1024).toFixed(0).padStart(6)} KiB   ${a.name}.zip ${(a.zipBytes / 1024).toFixed(0).padStart(6)} KiB`
    )
  }
}
