/**
 * Dependency-direction check, run by `npm test`. Reads every TypeScript file of the workspace and
 * checks each import against the layering of docs/STYLE:
 *
 * - `packages/core/src` imports only `effect` (and its own files): no SQL, no AWS, no HTTP, no Node;
 * - no package imports a layer above it (core ← adapters ← http ← lambda; app composes them all;
 *   examples may use everything);
 * - every bare import is declared in that package's package.json (or, for tests and tools, the
 *   root one): no phantom dependencies that happen to be hoisted;
 * - a relative import never leaves its package;
 * - another workspace package is imported only through an entry point it names in its `exports`
 *   (`@securebase/core`, `@securebase/core/testing`), never through a wildcard into its files.
 *   (Each package also exports `./*`, only so that TypeScript can name a deep type in the
 *   declaration files it emits for another package; code never imports through it);
 * - the browser's portal imports the core and only the API contract of `@securebase/http`
 *   (`@securebase/http/api`), never the server side (handlers, Node modules, pdf-lib, adapters);
 *   and no Node built-in.
 *
 * Exits 1 with one line per violation.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { builtinModules } from "node:module"
import { dirname, join, relative, resolve, sep } from "node:path"

/** One broken rule. */
export interface Violation {
  readonly file: string
  readonly specifier: string
  readonly rule: string
}

interface Layer {
  readonly dir: string
  /** Workspace packages this layer may import. */
  readonly mayImport: ReadonlyArray<string>
  /** Where given, the only entry points of a package this layer may import. */
  readonly onlyEntries?: Readonly<Record<string, ReadonlyArray<string>>>
  /** Code that runs in a browser: no Node built-ins. */
  readonly browser?: boolean
}

/** The layering: a package may import only the workspace packages listed for it. */
export const layers: ReadonlyArray<Layer> = [
  { dir: "packages/core", mayImport: ["@securebase/core"] },
  { dir: "packages/adapters", mayImport: ["@securebase/core"] },
  { dir: "packages/http", mayImport: ["@securebase/core", "@securebase/adapters"] },
  { dir: "packages/lambda", mayImport: ["@securebase/core", "@securebase/http"] },
  {
    dir: "packages/portal",
    mayImport: ["@securebase/core", "@securebase/http"],
    onlyEntries: { "@securebase/http": ["@securebase/http/api"] },
    browser: true
  },
  {
    dir: "packages/app",
    mayImport: ["@securebase/core", "@securebase/adapters", "@securebase/http", "@securebase/lambda"]
  },
  {
    dir: "examples",
    mayImport: [
      "@securebase/core",
      "@securebase/adapters",
      "@securebase/http",
      "@securebase/lambda",
      "@securebase/app"
    ]
  }
]

const importPattern =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^"'`;]*?\s+from\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g

/** The module specifiers a source text imports (static, re-export and dynamic imports). */
export const importsOf = (source: string): Array<string> => {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1")
  return Array.from(withoutComments.matchAll(importPattern), (m) => (m[1] ?? m[2])!)
}

const packageName = (specifier: string): string =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!

const isBuiltin = (specifier: string): boolean =>
  specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]!)

const tsFiles = (dir: string): Array<string> => {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    if (name === "node_modules" || name.startsWith(".")) return []
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return tsFiles(path)
    return /\.(ts|mts|tsx)$/.test(name) && !name.endsWith(".d.ts") ? [path] : []
  })
}

const declared = (packageJson: string): Set<string> => {
  if (!existsSync(packageJson)) return new Set()
  const pkg = JSON.parse(readFileSync(packageJson, "utf8"))
  return new Set(
    [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies, pkg.optionalDependencies].flatMap((deps) =>
      Object.keys(deps ?? {})
    )
  )
}

/** The entry points a workspace package names in its `exports` (wildcard patterns excluded). */
const entryPoints = (root: string): Map<string, Set<string>> => {
  const out = new Map<string, Set<string>>()
  for (const layer of layers) {
    const file = join(root, layer.dir, "package.json")
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, "utf8"))
    const exports = typeof pkg.exports === "string" ? { ".": pkg.exports } : (pkg.exports ?? { ".": "" })
    const names = Object.keys(exports)
      .filter((key) => !key.includes("*"))
      .map((key) => (key === "." ? pkg.name : `${pkg.name}/${key.replace(/^\.\//, "")}`))
    out.set(pkg.name, new Set(names))
  }
  return out
}

/** Checks the workspace at `root`; returns every violation (empty when the layering holds). */
export const check = (root: string): Array<Violation> => {
  const violations: Array<Violation> = []
  const rootDeps = declared(join(root, "package.json"))
  const entries = entryPoints(root)
  for (const layer of layers) {
    const base = resolve(root, layer.dir)
    const ownDeps = declared(join(base, "package.json"))
    for (const file of tsFiles(base)) {
      const rel = relative(root, file)
      const inCoreSource = rel.startsWith(`packages${sep}core${sep}src${sep}`)
      const isProductionSource = rel.split(sep).includes("src")
      for (const specifier of importsOf(readFileSync(file, "utf8"))) {
        const violation = (rule: string) => violations.push({ file: rel, specifier, rule })
        if (specifier.startsWith(".")) {
          const target = resolve(dirname(file), specifier)
          if (!target.startsWith(base + sep)) violation(`relative import leaves ${layer.dir}`)
          continue
        }
        const name = packageName(specifier)
        if (inCoreSource) {
          if (name !== "effect") violation("packages/core/src may import only effect")
          continue
        }
        if (name.startsWith("@securebase/")) {
          if (!layer.mayImport.includes(name))
            violation(`${layer.dir} may not import ${name} (dependencies point inward)`)
          else if (specifier !== name && !(entries.get(name)?.has(specifier) ?? false))
            violation(`${specifier} is not an entry point of ${name} (import its index or a named export)`)
          else if (layer.onlyEntries?.[name] !== undefined && !layer.onlyEntries[name].includes(specifier))
            violation(`${layer.dir} may import only ${layer.onlyEntries[name].join(", ")} of ${name}`)
          continue
        }
        if (isBuiltin(specifier)) {
          if (layer.browser === true && isProductionSource)
            violation(`${layer.dir} runs in a browser: no Node built-ins`)
          continue
        }
        if (ownDeps.has(name)) continue
        if (!isProductionSource && rootDeps.has(name)) continue
        violation(`${name} is not declared in ${layer.dir}/package.json`)
      }
    }
  }
  return violations
}

if (import.meta.main) {
  const root = resolve(import.meta.dirname, "..")
  const violations = check(root)
  for (const v of violations) console.error(`${v.file}: imports "${v.specifier}": ${v.rule}`)
  if (violations.length > 0) {
    console.error(`check-deps: ${violations.length} violation(s)`)
    process.exit(1)
  }
  console.log("check-deps: dependencies point inward; every import is declared")
}
