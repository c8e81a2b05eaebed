/** The dependency check must catch each kind of violation, or `npm test` would prove nothing. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { afterEach, assert, describe, it } from "@effect/vitest"
import { check, importsOf } from "../check-deps.ts"

const roots: Array<string> = []
const workspace = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "check-deps-"))
  roots.push(root)
  const all = {
    "package.json": JSON.stringify({ devDependencies: { vitest: "*" } }),
    "packages/core/package.json": JSON.stringify({ dependencies: { effect: "*" } }),
    "packages/adapters/package.json": JSON.stringify({
      dependencies: { effect: "*", "@securebase/core": "*" }
    }),
    ...files
  }
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

describe("check-deps", () => {
  it("passes this repository", () => {
    assert.deepStrictEqual(check(resolve(import.meta.dirname, "../..")), [])
  })

  it("finds static, type-only, re-export and dynamic imports, not commented ones", () => {
    const src = [
      `import { A } from "a"`,
      `import type { B } from "b"`,
      `export * as C from "c"`,
      `import "d"`,
      `const e = await import("e")`,
      `// import { F } from "f"`,
      `/* import { G } from "g" */`
    ].join("\n")
    assert.deepStrictEqual(importsOf(src), ["a", "b", "c", "d", "e"])
  })

  it("lets the portal import only the API contract of http, and no Node built-in", () => {
    const root = workspace({
      "packages/http/package.json": JSON.stringify({
        name: "@securebase/http",
        exports: { ".": "./src/index.ts", "./api": "./src/Api.ts" }
      }),
      "packages/portal/package.json": JSON.stringify({
        dependencies: { "@securebase/http": "*", "@securebase/core": "*", react: "*" }
      }),
      "packages/portal/src/Good.tsx": `import { Api } from "@securebase/http/api"\nimport { useState } from "react"`,
      "packages/portal/src/Bad.tsx": `import { HttpApp } from "@securebase/http"\nimport { readFileSync } from "node:fs"\nimport { PgDatabase } from "@securebase/adapters"`
    })
    assert.deepStrictEqual(
      check(root).map((v) => `${v.file.split("/").pop()} ${v.specifier}`),
      ["Bad.tsx @securebase/http", "Bad.tsx node:fs", "Bad.tsx @securebase/adapters"]
    )
  })

  it("refuses anything but effect in core, including Node built-ins", () => {
    const root = workspace({
      "packages/core/src/Bad.ts": `import { Pool } from "pg"\nimport { createHash } from "node:crypto"\nimport { Schema } from "effect"`
    })
    assert.deepStrictEqual(
      check(root).map((v) => v.specifier),
      ["pg", "node:crypto"]
    )
  })

  it("refuses imports that point outward and relative imports that leave the package", () => {
    const root = workspace({
      "packages/core/src/Up.ts": `import { X } from "@securebase/adapters"`,
      "packages/adapters/src/Up.ts": `import { Y } from "@securebase/http"`,
      "packages/adapters/src/Escape.ts": `import { Z } from "../../core/src/index.ts"`
    })
    const rules = check(root).map((v) => `${v.file}: ${v.rule}`)
    assert.strictEqual(rules.length, 3)
    assert.match(rules.join("\n"), /core\/src may import only effect/)
    assert.match(rules.join("\n"), /may not import @securebase\/http/)
    assert.match(rules.join("\n"), /relative import leaves packages\/adapters/)
  })

  it("refuses imports into another package's files through a wildcard export", () => {
    const root = workspace({
      "packages/core/package.json": JSON.stringify({
        name: "@securebase/core",
        exports: { ".": "./src/index.ts", "./testing": "./src/testing/index.ts", "./*": "./src/*" }
      }),
      "packages/adapters/src/Deep.ts": `import { X } from "@securebase/core/billing/Invoice.ts"`,
      "packages/adapters/src/Named.ts": `import { Y } from "@securebase/core/testing"\nimport { Z } from "@securebase/core"`
    })
    assert.deepStrictEqual(
      check(root).map((v) => [v.file, v.specifier]),
      [[join("packages", "adapters", "src", "Deep.ts"), "@securebase/core/billing/Invoice.ts"]]
    )
  })

  it("refuses undeclared dependencies in production code but lets tests use root devDependencies", () => {
    const root = workspace({
      "packages/adapters/src/Phantom.ts": `import { x } from "vitest"`,
      "packages/adapters/test/Ok.test.ts": `import { x } from "vitest"\nimport { y } from "node:fs"`
    })
    const violations = check(root)
    assert.deepStrictEqual(
      violations.map((v) => [v.file, v.specifier]),
      [[join("packages", "adapters", "src", "Phantom.ts"), "vitest"]]
    )
  })
})
