/**
 * The deployment: `npm run build:lambda` produces one bundle (and zip) per function, and
 * template.yaml is valid YAML (CloudFormation's short-form tags read by a custom schema) whose
 * functions point at handlers that exist in those bundles, with references that resolve and
 * least-privilege policies.
 */
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { inflateRawSync } from "node:zlib"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Duration } from "effect"
import { parse, type Tags } from "yaml"
import { httpApiEvent } from "./Events.ts"

const root = resolve(import.meta.dirname, "../../../..")

// CloudFormation's short forms: `!Ref X` is `{ Ref: X }`, `!Sub s` is `{ "Fn::Sub": s }`, …
const intrinsic = (name: string) => (name === "Ref" || name === "Condition" ? name : `Fn::${name}`)
const cloudFormationTags: Tags = [
  "Ref",
  "Condition",
  "Sub",
  "GetAtt",
  "If",
  "Not",
  "Equals",
  "And",
  "Or",
  "Join",
  "FindInMap",
  "Select",
  "Split",
  "Base64",
  "ImportValue",
  "GetAZs",
  "Cidr"
].flatMap((name) => [
  {
    tag: `!${name}`,
    resolve: (value: string) => ({ [intrinsic(name)]: name === "GetAtt" ? value.split(".") : value })
  },
  {
    tag: `!${name}`,
    collection: "seq" as const,
    resolve: (seq: any) => ({ [intrinsic(name)]: seq.toJSON() })
  },
  {
    tag: `!${name}`,
    collection: "map" as const,
    resolve: (map: any) => ({ [intrinsic(name)]: map.toJSON() })
  }
])

const template = parse(readFileSync(join(root, "template.yaml"), "utf8"), { customTags: cloudFormationTags })
const resources: Record<string, { Type: string; Properties?: any; Condition?: string }> = template.Resources
const functions = Object.entries(resources).filter(([, r]) => r.Type === "AWS::Serverless::Function")

/**
 * A function's policy statements, a conditional policy's (`!If [condition, policy, NoValue]`)
 * included, each with the condition it depends on.
 */
const statementsOf = (fn: { Properties?: any }): Array<any> =>
  fn.Properties.Policies.flatMap((p: any) =>
    Array.isArray(p["Fn::If"])
      ? p["Fn::If"][1].Statement.map((s: any) => ({
          ...s,
          condition: p["Fn::If"][0],
          otherwise: p["Fn::If"][2]
        }))
      : p.Statement
  )

/** Every value under `node`, depth first. */
const walk = function* (node: unknown): Generator<unknown> {
  yield node
  if (Array.isArray(node)) for (const item of node) yield* walk(item)
  else if (typeof node === "object" && node !== null)
    for (const value of Object.values(node)) yield* walk(value)
}

/** The first file of a zip archive (local header, deflate), as bytes. */
const firstZipEntry = (archive: Buffer) => {
  assert.strictEqual(archive.readUInt32LE(0), 0x04034b50, "zip local file header")
  const compressedSize = archive.readUInt32LE(18)
  const nameLength = archive.readUInt16LE(26)
  const extraLength = archive.readUInt16LE(28)
  const name = archive.subarray(30, 30 + nameLength).toString("utf8")
  const start = 30 + nameLength + extraLength
  return { name, data: inflateRawSync(archive.subarray(start, start + compressedSize)) }
}

// What a fresh Node process (as the Lambda runtime would) finds when it loads each bundle: the
// type of every handler, and the API bundle's answers to a bad event and to a cold start without
// DATABASE_URL. Loaded natively rather than through the test runner's module transform.
const probe = `
const [bundles, event] = JSON.parse(process.argv[1])
const out = { exports: {} }
for (const [name, file] of Object.entries(bundles)) {
  const module = await import(file)
  out.exports[name] = Object.fromEntries(Object.entries(module).map(([k, v]) => [k, typeof v]))
}
const { handler } = await import(bundles["build/lambda/api"])
const bad = await handler({ version: "1.0" })
out.bad = { statusCode: bad.statusCode, body: JSON.parse(bad.body) }
delete process.env.DATABASE_URL
out.coldStart = await handler(event).then(() => "started", (error) => String(error))
console.log(JSON.stringify(out))
process.exit(0)
`

let probed: {
  exports: Record<string, Record<string, string>>
  bad: { statusCode: number; body: any }
  coldStart: string
}

/** Every file of a zip archive (the central directory's names, each local entry inflated). */
const zipEntries = (archive: Buffer) => {
  const entries = new Map<string, Buffer>()
  let offset = 0
  while (archive.readUInt32LE(offset) === 0x04034b50) {
    const compressedSize = archive.readUInt32LE(offset + 18)
    const nameLength = archive.readUInt16LE(offset + 26)
    const extraLength = archive.readUInt16LE(offset + 28)
    const name = archive.subarray(offset + 30, offset + 30 + nameLength).toString("utf8")
    const start = offset + 30 + nameLength + extraLength
    entries.set(name, inflateRawSync(archive.subarray(start, start + compressedSize)))
    offset = start + compressedSize
  }
  return entries
}

beforeAll(() => {
  // The real build command (esbuild: about a second for the four functions).
  execFileSync(process.execPath, [join(root, "scripts/build-lambda.ts")], { cwd: root, stdio: "pipe" })
  const bundles = Object.fromEntries(
    functions.map(([, f]) => [
      f.Properties.CodeUri,
      pathToFileURL(join(root, f.Properties.CodeUri, "index.mjs")).href
    ])
  )
  const output = execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      probe,
      JSON.stringify([bundles, httpApiEvent({ method: "GET", path: "/health" })])
    ],
    { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }
  )
  probed = JSON.parse(output.trim().split("\n").at(-1)!)
})

describe("template.yaml", () => {
  it("declares the four functions, each pointing at a handler exported by its built bundle", () => {
    assert.strictEqual(template.Transform, "AWS::Serverless-2016-10-31")
    assert.sameMembers(
      functions.map(([, f]) => f.Properties.CodeUri),
      [
        "build/lambda/api",
        "build/lambda/authorizer",
        "build/lambda/billing-run",
        "build/lambda/overdue-sweep"
      ]
    )
    for (const [name, fn] of functions) {
      const handler: string = fn.Properties.Handler ?? template.Globals.Function.Handler
      const [file, exported] = handler.split(".") as [string, string]
      const bundle = join(root, fn.Properties.CodeUri, `${file}.mjs`)
      assert.isTrue(existsSync(bundle), `${name}: ${bundle} exists`)
      assert.strictEqual(probed.exports[fn.Properties.CodeUri]?.[exported], "function", `${name}: ${handler}`)
      // Zip-ready: the archive holds the same index.mjs.
      const entry = firstZipEntry(readFileSync(`${join(root, fn.Properties.CodeUri)}.zip`))
      assert.strictEqual(entry.name, "index.mjs")
      assert.isTrue(entry.data.equals(readFileSync(bundle)), `${name}: zip matches the bundle`)
      assert.isBelow(statSync(bundle).size, 8 * 1024 * 1024, `${name}: bundle stays small`)
    }
    assert.strictEqual(template.Globals.Function.Runtime, "nodejs24.x")
  })

  it("runs from the bundle: a bad event answers 400, and without DATABASE_URL the cold start says what to set", () => {
    assert.strictEqual(probed.bad.statusCode, 400)
    assert.strictEqual(probed.bad.body.code, "LAMBDA.UNSUPPORTED_EVENT")
    assert.include(probed.coldStart, "set DATABASE_URL")
  })

  it("the API function carries the customer portal in its bundle and its zip, every file the page names", () => {
    const dist = join(root, "packages/portal/dist")
    const archive = zipEntries(readFileSync(join(root, "build/lambda/api.zip")))
    const index = readFileSync(join(dist, "index.html"), "utf8")
    const assets = [...index.matchAll(/\/portal\/(assets\/[^"]+)"/g)].map((m) => m[1]!)
    assert.isAbove(assets.length, 1, "the page names its script and stylesheet")
    for (const file of ["index.html", "favicon.svg", ...assets]) {
      assert.isTrue(existsSync(join(root, "build/lambda/api/portal", file)), `${file} beside the bundle`)
      assert.isTrue(
        archive.get(`portal/${file}`)?.equals(readFileSync(join(dist, file))),
        `${file} in api.zip`
      )
    }
    // The other functions do not carry it.
    assert.strictEqual(zipEntries(readFileSync(join(root, "build/lambda/authorizer.zip"))).size, 1)
  })

  it("the functions that draw invoice PDFs carry the PDF's fonts beside the bundle and in the zip", () => {
    const fontsDir = join(root, "packages/http/assets/fonts")
    for (const name of ["api", "billing-run", "overdue-sweep"]) {
      const archive = zipEntries(readFileSync(join(root, `build/lambda/${name}.zip`)))
      for (const file of ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"]) {
        assert.isTrue(
          existsSync(join(root, `build/lambda/${name}/fonts`, file)),
          `${name}: ${file} beside the bundle`
        )
        assert.isTrue(
          archive.get(`fonts/${file}`)?.equals(readFileSync(join(fontsDir, file))),
          `${name}: ${file} in the zip`
        )
      }
    }
  })

  it("resolves every Ref, GetAtt, Sub variable, condition and mapping entry", () => {
    const parameters = Object.keys(template.Parameters)
    const names = new Set([...parameters, ...Object.keys(resources)])
    const pseudo = (n: string) => n.startsWith("AWS::")
    for (const node of walk(template)) {
      if (typeof node !== "object" || node === null || Array.isArray(node)) continue
      const o = node as Record<string, any>
      if (typeof o.Ref === "string") assert.isTrue(names.has(o.Ref) || pseudo(o.Ref), `Ref ${o.Ref}`)
      if (Array.isArray(o["Fn::GetAtt"]))
        assert.isTrue(names.has(o["Fn::GetAtt"][0]), `GetAtt ${o["Fn::GetAtt"]}`)
      if (typeof o["Fn::Sub"] === "string") {
        for (const [, v] of o["Fn::Sub"].matchAll(/\$\{([^}]+)\}/g)) {
          const base = v!.split(".")[0]!
          assert.isTrue(names.has(base) || pseudo(v!), `Sub \${${v}}`)
        }
      }
      if (Array.isArray(o["Fn::If"])) assert.property(template.Conditions, o["Fn::If"][0])
      if (Array.isArray(o["Fn::FindInMap"])) {
        const [map, , key] = o["Fn::FindInMap"]
        for (const env of template.Parameters.Environment.AllowedValues) {
          assert.property(template.Mappings[map][env], key, `${map}.${env}.${key}`)
        }
      }
    }
    for (const r of Object.values(resources))
      if (r.Condition) assert.property(template.Conditions, r.Condition)
    assert.deepStrictEqual(template.Parameters.Environment.AllowedValues, ["dev", "staging", "prod"])
  })

  it("serves the HTTP API (payload 2.0) behind the 2.0 simple-response authorizer, health and docs public", () => {
    const api = resources.HttpApi!.Properties
    const authorizer = api.Auth.Authorizers[api.Auth.DefaultAuthorizer]
    assert.deepStrictEqual(authorizer.FunctionArn, { "Fn::GetAtt": ["AuthorizerFunction", "Arn"] })
    assert.strictEqual(authorizer.AuthorizerPayloadFormatVersion, "2.0")
    assert.isTrue(authorizer.EnableSimpleResponses)
    // No identity source (hence no cache): API keys come in the Authorization header, the portal's
    // session in a cookie, and the gateway must let either through to the authorizer.
    assert.isUndefined(authorizer.Identity.Headers)
    assert.strictEqual(authorizer.Identity.ReauthorizeEvery, 0)
    const events = resources.ApiFunction!.Properties.Events
    for (const event of Object.values<any>(events)) {
      assert.strictEqual(event.Type, "HttpApi")
      assert.strictEqual(event.Properties.PayloadFormatVersion, "2.0")
    }
    const publicPaths = Object.values<any>(events)
      .filter((e) => e.Properties.Auth?.Authorizer === "NONE")
      .map((e) => e.Properties.Path)
    assert.sameMembers(publicPaths, [
      "/health",
      "/openapi.json",
      "/docs",
      "/",
      "/portal",
      "/portal/{proxy+}",
      "/auth/session",
      "/auth/session",
      "/webhooks/stripe"
    ])
  })

  it("schedules the billing run on the 1st once the month that ended has closed (after USAGE_GRACE), and the overdue sweep daily", () => {
    const schedule = (fn: string) =>
      Object.values<any>(resources[fn]!.Properties.Events).find((e) => e.Type === "Schedule").Properties
        .Schedule
    const billing = /^cron\((\d+) (\d+) 1 \* \? \*\)$/.exec(schedule("BillingRunFunction"))
    assert.isNotNull(billing, schedule("BillingRunFunction"))
    // The run fires at this time of day on the 1st; the month that ended is billable from its end
    // plus the grace the functions are configured with, so the schedule must not come earlier.
    const firesAfter = Duration.sum(
      Duration.hours(Number(billing![2])),
      Duration.minutes(Number(billing![1]))
    )
    const grace = template.Globals.Function.Environment.Variables.USAGE_GRACE
    const configured = Duration.fromInputUnsafe(grace)
    assert.isTrue(Duration.isGreaterThanOrEqualTo(configured, Duration.zero), grace)
    assert.isTrue(
      Duration.isGreaterThan(firesAfter, configured),
      `the billing run fires ${Duration.format(firesAfter)} into the 1st, within USAGE_GRACE ${grace}`
    )
    assert.match(schedule("OverdueSweepFunction"), /^cron\(0 \d+ \* \* \? \*\)$/)
  })

  it("keeps the session tables with TTL on expiresAt and point-in-time recovery", () => {
    for (const table of ["SessionTable", "RevocationTable"]) {
      const p = resources[table]!.Properties
      assert.deepStrictEqual(p.TimeToLiveSpecification, { AttributeName: "expiresAt", Enabled: true })
      assert.isTrue(p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled)
      assert.strictEqual(p.BillingMode, "PAY_PER_REQUEST")
    }
    // The adapters derive the deny list's name from DYNAMODB_TABLE.
    assert.strictEqual(
      resources.RevocationTable!.Properties.TableName["Fn::Sub"],
      `${resources.SessionTable!.Properties.TableName["Fn::Sub"]}-revocations`
    )
    assert.deepStrictEqual(template.Globals.Function.Environment.Variables.DYNAMODB_TABLE, {
      Ref: "SessionTable"
    })
  })

  it("keeps the limits' counters in a table of their own, shared by every container, with TTL on expiresAt", () => {
    const p = resources.LimitTable!.Properties
    assert.deepStrictEqual(p.TimeToLiveSpecification, { AttributeName: "expiresAt", Enabled: true })
    assert.deepStrictEqual(p.KeySchema, [{ AttributeName: "id", KeyType: "HASH" }])
    assert.strictEqual(p.BillingMode, "PAY_PER_REQUEST")
    // The adapters derive its name from DYNAMODB_TABLE.
    assert.strictEqual(
      p.TableName["Fn::Sub"],
      `${resources.SessionTable!.Properties.TableName["Fn::Sub"]}-limits`
    )
    // The API and the authorizer count there; the jobs count nothing (and may not read the table).
    for (const fn of ["ApiFunction", "AuthorizerFunction"])
      assert.strictEqual(resources[fn]!.Properties.Environment.Variables.RATE_LIMIT_STORE, "dynamodb")
    for (const fn of ["BillingRunFunction", "OverdueSweepFunction"])
      assert.notProperty(resources[fn]!.Properties.Environment.Variables, "RATE_LIMIT_STORE")
    assert.notProperty(template.Globals.Function.Environment.Variables, "RATE_LIMIT_STORE")
    assert.notProperty(template.Globals.Function.Environment.Variables, "TRUST_PROXY")
  })

  it("grants least privilege: the tables, the one secret, ses:SendEmail on the identity; no wildcards", () => {
    const secret = { Ref: "AppSecretArn" }
    const tables = [{ "Fn::GetAtt": ["SessionTable", "Arn"] }, { "Fn::GetAtt": ["RevocationTable", "Arn"] }]
    const limitTable = [{ "Fn::GetAtt": ["LimitTable", "Arn"] }]
    const identity = {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's placeholders, not JavaScript's
      "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentity}"
    }
    for (const [name, fn] of functions) {
      const statements: Array<any> = statementsOf(fn)
      for (const s of statements) {
        const actions: Array<string> = [s.Action].flat()
        const resourcesOf: Array<unknown> = [s.Resource].flat()
        assert.strictEqual(s.Effect, "Allow")
        for (const a of actions) assert.notInclude(a, "*", `${name}: action ${a}`)
        for (const r of resourcesOf) assert.notStrictEqual(r, "*", `${name}: resource *`)
        if (s.Sid === "LimitTable") {
          // The counters: a conditional UpdateItem per hit, on their own table only (DescribeTable
          // for the cold start's check that it exists).
          assert.sameMembers(actions, [
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem"
          ])
          assert.sameDeepMembers(resourcesOf, limitTable)
        } else if (s.Sid === "PaymentTable") {
          // The payment records, granted only when they are in DynamoDB: conditional writes (and a
          // claim deleted when its effect failed), on their own table only.
          assert.sameMembers(actions, [
            "dynamodb:DescribeTable",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem"
          ])
          assert.sameDeepMembers(resourcesOf, [{ "Fn::GetAtt": ["PaymentTable", "Arn"] }])
          assert.strictEqual(s.condition, "PaymentsInDynamo")
          assert.deepStrictEqual(s.otherwise, { Ref: "AWS::NoValue" })
        } else if (actions.some((a) => a.startsWith("dynamodb:"))) {
          assert.sameMembers(actions, ["dynamodb:GetItem", "dynamodb:PutItem"])
          assert.sameDeepMembers(resourcesOf, tables)
        } else if (actions.some((a) => a.startsWith("secretsmanager:"))) {
          // The function's one secret: the one its SECRETS_ARN names.
          assert.deepStrictEqual(actions, ["secretsmanager:GetSecretValue"])
          const own =
            fn.Properties.Environment?.Variables?.SECRETS_ARN ??
            template.Globals.Function.Environment.Variables.SECRETS_ARN
          assert.deepStrictEqual(resourcesOf, [own])
          assert.include(JSON.stringify(own), JSON.stringify(secret))
        } else if (actions.some((a) => a.startsWith("ses:"))) {
          assert.deepStrictEqual(actions, ["ses:SendEmail"])
          assert.deepStrictEqual(resourcesOf, [identity])
        } else assert.fail(`${name}: unexpected statement ${JSON.stringify(s)}`)
      }
    }
    // Mail only from the jobs; the session tables only from the API and the authorizer.
    const actionsOf = (fn: string, options: { readonly payments?: boolean } = {}) =>
      statementsOf(resources[fn]!)
        .filter((s) => options.payments === true || s.Sid !== "PaymentTable")
        .flatMap((s: any) => [s.Action].flat())
    assert.notInclude(actionsOf("ApiFunction"), "ses:SendEmail")
    // The billing run writes no DynamoDB table but the payment records (its pushes link invoices).
    assert.notInclude(actionsOf("BillingRunFunction"), "dynamodb:PutItem")
    assert.notInclude(actionsOf("BillingRunFunction"), "dynamodb:UpdateItem")
    assert.notInclude(actionsOf("AuthorizerFunction", { payments: true }), "dynamodb:DeleteItem")
    for (const fn of ["ApiFunction", "AuthorizerFunction"])
      assert.include(actionsOf(fn), "dynamodb:UpdateItem")
    assert.include(actionsOf("BillingRunFunction"), "ses:SendEmail")
    // The jobs may read a worker secret (DATABASE_URL as securebase_worker) the API cannot.
    const jobSecret = { "Fn::If": ["HasWorkerSecret", { Ref: "WorkerSecretArn" }, { Ref: "AppSecretArn" }] }
    for (const fn of ["BillingRunFunction", "OverdueSweepFunction"])
      assert.deepStrictEqual(resources[fn]!.Properties.Environment.Variables.SECRETS_ARN, jobSecret)
    assert.notInclude(JSON.stringify(resources.ApiFunction), "WorkerSecretArn")
  })

  it("keeps the payment records in a DynamoDB table of their own with PaymentRecords=dynamodb, named to the API and the jobs", () => {
    assert.deepStrictEqual(template.Parameters.PaymentRecords.AllowedValues, ["postgres", "dynamodb"])
    assert.strictEqual(template.Parameters.PaymentRecords.Default, "postgres")
    assert.deepStrictEqual(template.Conditions.PaymentsInDynamo, {
      "Fn::Equals": [{ Ref: "PaymentRecords" }, "dynamodb"]
    })
    const table = resources.PaymentTable!
    assert.strictEqual(table.Condition, "PaymentsInDynamo")
    assert.deepStrictEqual(table.Properties.KeySchema, [{ AttributeName: "id", KeyType: "HASH" }])
    assert.strictEqual(table.Properties.BillingMode, "PAY_PER_REQUEST")
    // Kept like the books: no expiry, recoverable.
    assert.notProperty(table.Properties, "TimeToLiveSpecification")
    assert.isTrue(table.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled)
    for (const fn of ["ApiFunction", "BillingRunFunction", "OverdueSweepFunction"]) {
      const variables = resources[fn]!.Properties.Environment.Variables
      assert.deepStrictEqual(variables.PAYMENT_RECORDS, { Ref: "PaymentRecords" })
      // Set only with dynamodb: the configuration refuses the table name with postgres.
      assert.deepStrictEqual(variables.PAYMENT_RECORDS_TABLE, {
        "Fn::If": ["PaymentsInDynamo", { Ref: "PaymentTable" }, { Ref: "AWS::NoValue" }]
      })
      assert.include(
        statementsOf(resources[fn]!).map((s) => s.Sid),
        "PaymentTable",
        `${fn} may use the payment table`
      )
    }
    // The authorizer never reads payments: it keeps the default (PostgreSQL's layer, never queried).
    assert.notProperty(resources.AuthorizerFunction!.Properties.Environment.Variables, "PAYMENT_RECORDS")
    assert.notInclude(
      statementsOf(resources.AuthorizerFunction!).map((s) => s.Sid),
      "PaymentTable"
    )
    assert.notProperty(template.Globals.Function.Environment.Variables, "PAYMENT_RECORDS")
  })

  it("runs the functions in the VPC that reaches the RDS Proxy when subnets are given", () => {
    const vpc = template.Globals.Function.VpcConfig["Fn::If"]
    assert.strictEqual(vpc[0], "HasVpc")
    assert.deepStrictEqual(vpc[1], {
      SubnetIds: { Ref: "VpcSubnetIds" },
      SecurityGroupIds: { Ref: "VpcSecurityGroupIds" }
    })
    assert.deepStrictEqual(vpc[2], { Ref: "AWS::NoValue" })
  })
})

// The bundles on a real PostgreSQL server, when the environment names one (CI does): a fresh
// database, migrated by `db:migrate`, then the built API, authorizer and billing run against it
// through DATABASE_URL, as on Lambda behind RDS Proxy (bundled @effect/sql-pg, no PGlite).
const serverUrl = process.env.DATABASE_URL
describe.runIf(serverUrl !== undefined && serverUrl !== "")(
  "the bundles on PostgreSQL (DATABASE_URL)",
  () => {
    const database = `sb_lambda_${Math.random().toString(36).slice(2, 10)}`
    const url = new URL(serverUrl ?? "postgres://localhost/postgres")
    const psql = (sql: string) =>
      execFileSync("psql", [url.href, "-qAtc", sql], { stdio: "pipe", encoding: "utf8" })
    const own = new URL(url.href)
    own.pathname = `/${database}`
    let served: { health: any; denied: any; billing: any }

    beforeAll(() => {
      psql(`CREATE DATABASE ${database}`)
      execFileSync(process.execPath, [join(root, "packages/app/bin/securebase.mjs"), "db", "migrate"], {
        cwd: root,
        stdio: "pipe",
        env: { ...process.env, DATABASE_URL: own.href }
      })
      const script = `
const [api, authorizer, billing, health, authorize] = JSON.parse(process.argv[1])
const h = await (await import(api)).handler(health)
const d = await (await import(authorizer)).handler(authorize)
const b = await (await import(billing)).handler({ id: "e2e", time: "2026-11-01T00:00:00Z" })
console.log(JSON.stringify({ health: { statusCode: h.statusCode, body: JSON.parse(h.body) }, denied: d, billing: b }))
process.exit(0)
`
      const bundle = (dir: string) => pathToFileURL(join(root, "build/lambda", dir, "index.mjs")).href
      const authorize = JSON.parse(
        readFileSync(join(root, "packages/lambda/test/events/authorizer-v2-request.json"), "utf8")
      )
      authorize.headers.authorization =
        "Bearer sb_live_AAAAAAAAAAAAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
      const output = execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          script,
          JSON.stringify([
            bundle("api"),
            bundle("authorizer"),
            bundle("billing-run"),
            httpApiEvent({ method: "GET", path: "/health" }),
            authorize
          ])
        ],
        {
          cwd: root,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
          env: {
            ...process.env,
            DATABASE_URL: own.href,
            ACCESS_LOG: "false",
            OUTBOX_DIR: join(root, "build/lambda-outbox")
          }
        }
      )
      served = JSON.parse(output.trim().split("\n").at(-1)!)
    })

    afterAll(() => {
      psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    })

    it("serves /health from the API bundle on the server", () => {
      assert.strictEqual(served.health.statusCode, 200)
      assert.strictEqual(served.health.body.database.kind, "postgres")
      assert.strictEqual(served.health.body.database.status, "up")
    })

    it("denies an unknown key in the authorizer bundle (a store lookup on the server)", () => {
      assert.deepStrictEqual(served.denied, { isAuthorized: false })
    })

    it("runs the billing run bundle on the server: October billed (no customers yet), summary returned", () => {
      assert.strictEqual(served.billing.job, "billing-run")
      assert.strictEqual(served.billing.period, "2026-10")
      assert.strictEqual(served.billing.customers, 0)
      assert.strictEqual(served.billing.failed, 0)
    })
  }
)

describe("samconfig.toml", () => {
  it("has a deploy profile per environment, each deploying its own Environment", () => {
    const config = readFileSync(join(root, "samconfig.toml"), "utf8")
    for (const env of ["dev", "staging", "prod"]) {
      const section = config.split(`[${env}.deploy.parameters]`)[1]?.split("\n[")[0] ?? ""
      assert.include(section, `stack_name = "securebase-${env}"`)
      assert.include(section, `Environment=${env} `)
    }
  })
})
