/**
 * Revocation across real server processes on one real PostgreSQL (the cluster in DATABASE_URL,
 * a scratch database of its own), as deployed: two `main.ts` processes in staging, logged in as
 * `securebase_app`, with the default in-memory session cache and one pair of signing keys.
 *
 * What broke: a key revoked on one instance kept working on another (its cache), and after a
 * restart a revoked key's session worked again (the deny list was in memory); a suspended
 * customer's cached keys and sessions went on; a dev server on a real database accepted tokens
 * signed with the secret published in the source; a staging server accepted a superuser login.
 *
 * Every "at once" below is the very next request, with no sleep: the tenant transaction checks
 * the credential in PostgreSQL. Cache eviction through LISTEN/NOTIFY is asynchronous and is only
 * polled for (bounded). Timings are printed for the report, never asserted.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { createHmac } from "node:crypto"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { DynamoTables } from "@securebase/adapters"
import { Effect } from "effect"
import { request, runToExit, type ServerProcess, start } from "./support/ServerProcess.ts"

const base = process.env.DATABASE_URL
const root = fileURLToPath(new URL("../../..", import.meta.url))

/** An HS256 JWT over `header` and `payload`, signed with `secret`: for forging tokens. */
const sign = (header: object, payload: object, secret: string) => {
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url")
  const message = `${encode(header)}.${encode(payload)}`
  return `${message}.${createHmac("sha256", secret).update(message).digest("base64url")}`
}

/** A port the OS says is free now (dynalite's CLI cannot be given port 0). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer()
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

/** dynalite (in-memory DynamoDB over HTTP) in its own process, through its CLI. */
const startDynalite = async () => {
  const port = await freePort()
  const cli = fileURLToPath(new URL("../../../node_modules/dynalite/cli.js", import.meta.url))
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, "--port", String(port), "--host", "127.0.0.1", "--createTableMs", "0"],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  await new Promise<void>((resolve, reject) => {
    let output = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Dynalite listening")) resolve()
    })
    child.on("exit", (code) => reject(new Error(`dynalite exited with ${code}: ${output}`)))
  })
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") }
}

const signingKeys =
  "k2:Vq8Xr3Lw0Tz6Nc1Bd5Hm9Ka2Pf7Ys4Gj0Ue8Ri3Oo6,k1:Mx5Qb1Zt8Wn3Ck7Ju2Hy6Ld0Fr4Ae9Sv5Gp1Io8Tq"

describe.runIf(base !== undefined && base !== "")(
  "revocation across two server processes on one PostgreSQL",
  () => {
    const database = `sb_revocation_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
    const url = (user: string) => {
      const u = new URL(base ?? "postgres://localhost/postgres")
      u.pathname = `/${database}`
      u.username = user
      u.password = ""
      return u.href
    }
    const superuser = new URL(base ?? "postgres://localhost/postgres").username || "postgres"
    const psql = (sql: string, db = url(superuser)) =>
      execFileSync("psql", [db, "-qAtc", sql], { stdio: "pipe", encoding: "utf8" }).trim()
    const env = {
      SECUREBASE_ENV: "staging",
      DATABASE_URL: url("securebase_app"),
      JWT_SIGNING_KEYS: signingKeys,
      // Staging requires the keys that verify audit checkpoints (32 raw bytes, base64url).
      AUDIT_VERIFY_KEYS: `k1:${"A".repeat(43)}`,
      SELLER_NAME: "Revocation Test Seller Ltd",
      ACCESS_LOG: "false",
      SEED_DEMO: "false",
      AUTH_FREE_FAILURES: "1000",
      AUTH_MAX_FAILURES: "2000"
    }
    const ready = ["revocation feed: listening on securebase_revocations"]
    const timings: Array<[string, string]> = []
    let keys: Array<string> = []
    let a: ServerProcess
    let b: ServerProcess

    const keyIdOf = (key: string) => key.split("_")[2]!
    const customerOf = (key: string) =>
      psql(`SELECT customer_id FROM api_keys WHERE id = '${keyIdOf(key)}'`, url(superuser))
    const exchange = async (server: ServerProcess, key: string) => {
      const r = await request(server.url, "POST", "/auth/authenticate", key)
      assert.strictEqual(r.status, 200, JSON.stringify(r.body))
      return r.body.token as string
    }
    const status = async (server: ServerProcess, token: string, path = "/invoices") => {
      const r = await request(server.url, "GET", path, token)
      return r.status === 200 ? "ok" : `${r.status} ${r.body?.code}`
    }

    beforeAll(async () => {
      psql(`CREATE DATABASE ${database}`, new URL(base ?? "").href)
      const migrate = { ...process.env, DATABASE_URL: url(superuser) }
      execFileSync(process.execPath, [`${root}/packages/app/bin/securebase.mjs`, "db", "migrate"], {
        cwd: root,
        env: migrate,
        stdio: "pipe"
      })
      const seeded = execFileSync(
        process.execPath,
        [`${root}/packages/app/bin/securebase.mjs`, "db", "seed"],
        {
          cwd: root,
          env: { ...migrate, SECUREBASE_ENV: "dev", JWT_SIGNING_KEYS: signingKeys },
          encoding: "utf8",
          stdio: "pipe"
        }
      )
      keys = [...seeded.matchAll(/sb_live_[a-z2-7]{16}_[a-z2-7]{52}/g)].map((m) => m[0])
      assert.strictEqual(keys.length, 4, seeded)
      ;[a, b] = await Promise.all([start(env, { ready }), start(env, { ready })])
    }, 240_000)

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()])
      psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, new URL(base ?? "").href)
      console.log(`\nRevocation timings (this run):\n${timings.map(([k, v]) => `  ${k}: ${v}`).join("\n")}`)
    }, 120_000)

    it("a key revoked on A is refused on B at once, with every session of it, on every endpoint", {
      timeout: 180_000
    }, async () => {
      const key = keys[0]!
      // Warm B: its cache holds the key, and both instances have issued sessions.
      assert.strictEqual(await status(b, key), "ok")
      const onA = await exchange(a, key)
      const onB = await exchange(b, key)
      assert.strictEqual(await status(b, onA), "ok")

      const started = performance.now()
      const revoked = await request(a.url, "DELETE", `/api-keys/${keyIdOf(key)}`, key)
      assert.strictEqual(revoked.status, 200)
      const afterRevoke = performance.now()
      // The very next requests, on the other instance.
      assert.strictEqual(await status(b, key), "401 AUTH.KEY_REVOKED")
      const firstRefusal = performance.now()
      assert.strictEqual(await status(b, onA), "401 AUTH.SESSION_REVOKED")
      assert.strictEqual(await status(b, onB), "401 AUTH.SESSION_REVOKED")
      const exchanged = await request(b.url, "POST", "/auth/authenticate", key)
      assert.deepStrictEqual([exchanged.status, exchanged.body.code], [401, "AUTH.KEY_REVOKED"])
      timings.push([
        "revoke on A (DELETE /api-keys/:id round trip)",
        `${(afterRevoke - started).toFixed(1)} ms`
      ])
      timings.push([
        "revoke response on A → first refusal on B",
        `${(firstRefusal - afterRevoke).toFixed(1)} ms (one request)`
      ])

      // Every authenticated endpoint, with the key and with a session.
      const invoice = psql(`SELECT id FROM invoices WHERE customer_id = '${customerOf(key)}' LIMIT 1`)
      const calls: Array<[string, string, unknown?]> = [
        ["GET", "/invoices"],
        ["GET", `/invoices/${invoice}`],
        ["GET", `/invoices/${invoice}/download`],
        ["GET", "/metrics"],
        ["GET", "/metrics/history"],
        ["GET", "/api-keys"],
        ["POST", "/api-keys/create", { name: "after revocation", scopes: ["invoices:read"] }],
        ["DELETE", `/api-keys/${keyIdOf(keys[1]!)}`],
        ["GET", "/compliance/status"],
        ["GET", "/compliance/findings"],
        ["GET", "/support/tickets"],
        ["POST", "/support/tickets/create", { subject: "still here?", description: "x", priority: "low" }],
        [
          "POST",
          "/usage/events",
          {
            events: [
              {
                id: "after-revocation",
                metric: "api_calls",
                occurredAt: new Date().toISOString(),
                quantity: "1"
              }
            ]
          }
        ],
        ["POST", "/auth/logout"]
      ]
      for (const [method, path, json] of calls) {
        for (const [what, token] of [
          ["key", key],
          ["session", onA]
        ] as const) {
          const r = await request(b.url, method, path, token, json)
          assert.strictEqual(
            r.status,
            401,
            `${method} ${path} with the revoked ${what}: ${JSON.stringify(r.body)}`
          )
        }
      }
      // Nothing was written by the refused requests.
      assert.strictEqual(psql(`SELECT count(*) FROM usage_events WHERE event_id = 'after-revocation'`), "0")
      assert.strictEqual(psql(`SELECT count(*) FROM api_keys WHERE name = 'after revocation'`), "0")
      assert.strictEqual(
        psql(`SELECT count(*) FROM api_keys WHERE id = '${keyIdOf(keys[1]!)}' AND revoked_at IS NOT NULL`),
        "0"
      )
    })

    it("B's cache lets the revoked key go: its middleware refuses it (audited as a failure), announced by NOTIFY", {
      timeout: 120_000
    }, async () => {
      const key = keys[0]!
      const customer = customerOf(key)
      const started = performance.now()
      const lastVerdict = () =>
        psql(`SELECT action || ' ' || coalesce(payload->>'code', '') FROM audit_events
            WHERE customer_id = '${customer}' AND action LIKE 'auth.%' ORDER BY seq DESC LIMIT 1`)
      for (;;) {
        assert.strictEqual(await status(b, key), "401 AUTH.KEY_REVOKED")
        if (lastVerdict() === "auth.failed AUTH.KEY_REVOKED") break
        assert.isBelow(performance.now() - started, 30_000, "B's cache was never evicted")
      }
      timings.push([
        "B's middleware refuses the key (cache evicted)",
        `within ${(performance.now() - started).toFixed(0)} ms of the check`
      ])
    })

    it("restarting B, then A, does not bring the key or its sessions back", {
      timeout: 240_000
    }, async () => {
      const key = keys[0]!
      const stopped = await b.stop()
      assert.strictEqual(stopped, 0)
      const restartStarted = performance.now()
      b = await start(env, { ready })
      timings.push([
        "restart of an instance (spawn → listening)",
        `${(performance.now() - restartStarted).toFixed(0)} ms`
      ])
      assert.strictEqual(await status(b, key), "401 AUTH.KEY_REVOKED")
      assert.strictEqual(await a.stop(), 0)
      a = await start(env, { ready })
      assert.strictEqual(await status(a, key), "401 AUTH.KEY_REVOKED")
      const exchanged = await request(a.url, "POST", "/auth/authenticate", key)
      assert.strictEqual(exchanged.body.code, "AUTH.KEY_REVOKED")
    })

    it("a session of a key revoked before both restarts stays refused on both", {
      timeout: 240_000
    }, async () => {
      // Issue a session, revoke its key on A, restart both, present the session.
      const created = await request(a.url, "POST", "/api-keys/create", keys[3]!, {
        name: "revoked before restart",
        scopes: ["invoices:read"]
      })
      assert.strictEqual(created.status, 201)
      const key = created.body.secret as string
      const session = await exchange(b, key)
      assert.strictEqual(await status(a, session), "ok")
      assert.strictEqual((await request(a.url, "DELETE", `/api-keys/${keyIdOf(key)}`, keys[3]!)).status, 200)
      await Promise.all([a.stop(), b.stop()])
      ;[a, b] = await Promise.all([start(env, { ready }), start(env, { ready })])
      for (const server of [a, b]) {
        assert.strictEqual(await status(server, session), "401 AUTH.SESSION_REVOKED")
        assert.strictEqual(await status(server, key), "401 AUTH.KEY_REVOKED")
      }
    })

    it("a session logged out on A is refused on B at once and after restarts; the key's other sessions go on", {
      timeout: 240_000
    }, async () => {
      const key = keys[1]!
      const out = await exchange(a, key)
      const other = await exchange(a, key)
      assert.strictEqual(await status(b, out), "ok", "B has seen the session work")
      const logout = await request(a.url, "POST", "/auth/logout", out)
      assert.strictEqual(logout.status, 204)
      assert.strictEqual(await status(b, out), "401 AUTH.SESSION_REVOKED")
      assert.strictEqual(await status(a, out), "401 AUTH.SESSION_REVOKED")
      assert.strictEqual(await status(b, other), "ok")
      assert.strictEqual(await status(b, key), "ok")
      // Logging out with an API key is a client error, not a revocation of the key.
      const withKey = await request(b.url, "POST", "/auth/logout", key)
      assert.deepStrictEqual([withKey.status, withKey.body.code], [400, "AUTH.SESSION_REQUIRED"])
      assert.strictEqual(await status(b, key), "ok")
      await Promise.all([a.stop(), b.stop()])
      ;[a, b] = await Promise.all([start(env, { ready }), start(env, { ready })])
      for (const server of [a, b]) {
        assert.strictEqual(await status(server, out), "401 AUTH.SESSION_REVOKED")
        assert.strictEqual(await status(server, other), "ok")
      }
      const audited = psql(
        `SELECT count(*) FROM audit_events WHERE customer_id = '${customerOf(key)}' AND action = 'session.revoked'`
      )
      assert.strictEqual(audited, "1")
    })

    it("a customer suspended in SQL: its keys and sessions are refused at once on both; reinstated, they work", {
      timeout: 120_000
    }, async () => {
      const key = keys[2]!
      const customer = customerOf(key)
      const session = await exchange(a, key)
      for (const server of [a, b]) {
        assert.strictEqual(await status(server, key), "ok")
        assert.strictEqual(await status(server, session), "ok")
      }
      psql(`UPDATE customers SET status = 'suspended' WHERE id = '${customer}'`)
      for (const server of [a, b]) {
        assert.strictEqual(await status(server, key), "401 AUTH.CUSTOMER_INACTIVE")
        assert.strictEqual(await status(server, session), "401 AUTH.CUSTOMER_INACTIVE")
        assert.strictEqual(
          (await request(server.url, "POST", "/auth/authenticate", key)).body.code,
          "AUTH.CUSTOMER_INACTIVE"
        )
      }
      psql(`UPDATE customers SET status = 'active' WHERE id = '${customer}'`)
      for (const server of [a, b]) {
        assert.strictEqual(await status(server, key), "ok")
        assert.strictEqual(await status(server, session), "ok")
      }
    })

    it("with the shared DynamoDB cache, which no instance evicts for a change made in SQL, the database still refuses", {
      timeout: 180_000
    }, async () => {
      const dynamo = await startDynalite()
      const client = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: "local",
        credentials: { accessKeyId: "local", secretAccessKey: "local" }
      })
      const table = "securebase-revocation-test"
      let c: ServerProcess | undefined
      try {
        await Effect.runPromise(
          Effect.andThen(
            DynamoTables.createSessionCacheTable({ client, tableName: table }),
            DynamoTables.createSessionRevocationsTable({ client, tableName: `${table}-revocations` })
          )
        )
        c = await start({
          ...env,
          SESSION_CACHE: "dynamodb",
          DYNAMODB_TABLE: table,
          DYNAMODB_ENDPOINT: dynamo.endpoint,
          AWS_REGION: "local",
          AWS_ACCESS_KEY_ID: "local",
          AWS_SECRET_ACCESS_KEY: "local"
        })
        const created = await request(c.url, "POST", "/api-keys/create", keys[1]!, {
          name: "dynamo cached",
          scopes: ["invoices:read"]
        })
        assert.strictEqual(created.status, 201, JSON.stringify(created.body))
        const key = created.body.secret as string
        assert.strictEqual(await status(c, key), "ok")
        const session = await exchange(c, key)
        assert.strictEqual(await status(c, session), "ok")
        // An operator revokes the key in plain SQL: no instance touches DynamoDB.
        psql(`UPDATE api_keys SET revoked_at = now() WHERE id = '${keyIdOf(key)}'`)
        assert.strictEqual(await status(c, key), "401 AUTH.KEY_REVOKED")
        assert.strictEqual(await status(c, session), "401 AUTH.SESSION_REVOKED")
        // The shared cache still vouches for the key, and the middleware believed it ...
        const item = await client.send(
          new GetItemCommand({ TableName: table, Key: { keyId: { S: keyIdOf(key) } } })
        )
        assert.isDefined(item.Item, "the cache entry is still there")
        // The middleware refused nothing (it would have audited auth.failed) ...
        assert.strictEqual(
          psql(`SELECT count(*) FROM audit_events WHERE subject_id = '${keyIdOf(key)}'
            AND action = 'auth.failed' AND payload->>'method' = 'api_key'`),
          "0"
        )
        // ... it accepted both requests (their uses are flushed when the server stops), and the
        // tenant transaction refused the second.
        assert.strictEqual(await c.stop(), 0)
        assert.strictEqual(
          psql(`SELECT coalesce(sum((payload->>'count')::int), 0) FROM audit_events
            WHERE subject_id = '${keyIdOf(key)}' AND action = 'auth.used' AND payload->>'method' = 'api_key'`),
          "2",
          "the cache said yes; the tenant transaction said no"
        )
      } finally {
        await c?.stop()
        client.destroy()
        dynamo.stop()
      }
    })

    it("a dev server on a real DATABASE_URL accepted a token forged with the published secret: now refused", {
      timeout: 120_000
    }, async () => {
      const customer = customerOf(keys[3]!)
      const now = Math.floor(Date.now() / 1000)
      const header = { alg: "HS256", typ: "JWT", kid: "dev-1" }
      const payload = {
        iss: "securebase",
        aud: "securebase-api",
        sub: customer,
        plan: "gov-federal",
        scopes: ["invoices:read"],
        keyId: keyIdOf(keys[3]!),
        mode: "live",
        jti: "forgedforgedforgedforged",
        iat: now,
        nbf: now,
        exp: now + 10 * 365 * 24 * 3600
      }
      const forged = sign(header, payload, "securebase-development-signing-secret-not-for-production")
      const dev = await start(
        { DATABASE_URL: url(superuser), SEED_DEMO: "false", ACCESS_LOG: "false" },
        { ready }
      )
      try {
        const r = await request(dev.url, "GET", "/invoices", forged)
        assert.deepStrictEqual([r.status, r.body.code], [401, "AUTH.UNKNOWN_SIGNING_KEY"])
        assert.include(dev.output(), "sessions: signed with a random secret generated for this process")
        // The dev server's own sessions work (its secret is just not the published one).
        const own = await exchange(dev, keys[3]!)
        assert.strictEqual(await status(dev, own), "ok")
        // And another process does not accept them: the secret is its own.
        assert.strictEqual(await status(a, own), "401 AUTH.UNKNOWN_SIGNING_KEY")
      } finally {
        await dev.stop()
      }
    })

    it("a staging server refuses to start as a superuser, or with a weak signing secret", {
      timeout: 120_000
    }, async () => {
      const asSuperuser = await runToExit({ ...env, PORT: "0", DATABASE_URL: url(superuser) })
      assert.notStrictEqual(asSuperuser.code, 0)
      assert.include(
        asSuperuser.output,
        `refusing to run as database login "${superuser}": it is a superuser`
      )
      assert.notInclude(asSuperuser.output, "SecureBase API (")
      const weak = await runToExit({ ...env, PORT: "0", JWT_SIGNING_KEYS: `k1:${"a".repeat(32)}` })
      assert.notStrictEqual(weak.code, 0)
      assert.include(
        weak.output,
        "signing secret k1 is refused in staging: it has only 1 distinct characters"
      )
    })
  }
)
