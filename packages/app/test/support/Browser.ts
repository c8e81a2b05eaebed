/**
 * A real Chromium driven by playwright-core: Debian's `chromium` (or `CHROMIUM_PATH`), launched
 * with the flags these machines need. A test tool's own browser download does not work here, so
 * the browser is the system's. `.ci/run` installs it when it is missing; where none is found
 * (a developer machine without Chromium), the browser suites are skipped and say why.
 */
import { existsSync } from "node:fs"
import { Effect } from "effect"
import { type Browser, chromium } from "playwright-core"

const candidates = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
]

/** The Chromium executable, if the machine has one. */
export const executable: string | undefined = candidates.find(
  (path): path is string => path !== undefined && path !== "" && existsSync(path)
)

/** Why browser suites are skipped, when they are. */
export const unavailable =
  executable === undefined ? "no Chromium found (install Debian's chromium, or set CHROMIUM_PATH)" : undefined

/** The flags Chromium needs on these machines (no sandbox as root, no network beyond loopback). */
export const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** A browser for the scope. */
export const browser = Effect.acquireRelease(
  Effect.promise(() => chromium.launch({ executablePath: executable!, args: flags })),
  (b: Browser) => Effect.promise(() => b.close())
)

/** A page that records every request leaving the machine (anything but loopback, data: and blob:). */
export const page = (
  b: Browser,
  options: {
    readonly viewport?: { width: number; height: number }
    /** Let the test inject scripts (axe-core) into a page whose Content-Security-Policy forbids inline ones. */
    readonly bypassCSP?: boolean
    readonly permissions?: ReadonlyArray<string>
  } = {}
) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const context = await b.newContext({
        ...(options.viewport === undefined ? {} : { viewport: options.viewport }),
        ...(options.bypassCSP === undefined ? {} : { bypassCSP: options.bypassCSP }),
        ...(options.permissions === undefined ? {} : { permissions: [...options.permissions] })
      })
      const p = await context.newPage()
      const external: Array<string> = []
      p.on("request", (r) => {
        const url = new URL(r.url())
        const local = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]"
        if (!local && url.protocol !== "data:" && url.protocol !== "blob:") external.push(r.url())
      })
      return { page: p, external }
    }),
    (opened) => Effect.promise(() => opened.page.context().close())
  )
