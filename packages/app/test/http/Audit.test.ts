/**
 * The audit trail seen from the API: authentication attempts and key changes land in the
 * customer's hash-chained log (the reason, never the secret) with the request's principal as the
 * actor; a customer reads its own trail (never another's) and its latest signed checkpoint, whose
 * signature it can check itself with the published key.
 */
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, layer } from "@effect/vitest"
import { AuditKeyMaterial, Ed25519AuditSigner } from "@securebase/adapters"
import { AuditCheckpoints, AuditLog, type Ids, Tenancy } from "@securebase/core"
import { type Context, Effect, Result } from "effect"
import { SqlClient } from "effect/sql"
import { afterAll } from "vitest"
import { call, TestServer } from "../support/TestServer.ts"

const checkpointDir = mkdtempSync(join(tmpdir(), "securebase-api-checkpoints-"))
afterAll(() => rmSync(checkpointDir, { recursive: true, force: true }))
// A checkpoint "directory" that is a file: every read of the store fails.
const brokenStore = join(checkpointDir, "not-a-directory")
writeFileSync(brokenStore, "")

// The operator's signing key: the server derives the public key from it (and publishes that).
const signing = generateKeyPairSync("ed25519")
const seed = signing.privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32).toString("base64url")
const signingKey = `api-test:${seed}`

/** `sb_live_<keyId>_<secret>` → keyId. */
const keyIdOf = (apiKey: string) => apiKey.split("_")[2]!

/** Checkpoints a customer's chain as the operator's job does, on the server's own services. */
const checkpointNow = (services: Context.Context<any>, customerId: Ids.CustomerId) =>
  Effect.gen(function* () {
    const entry = Result.getOrThrow(AuditKeyMaterial.parseEntries(signingKey))[0]!
    const privateKey = yield* Effect.orDie(AuditKeyMaterial.privateKey(entry))
    return yield* Tenancy.Tenancy.use((t) => t.runAsWorker(AuditCheckpoints.checkpoint(customerId))).pipe(
      Effect.provide(Ed25519AuditSigner.layer({ keyId: entry.keyId, privateKey })),
      Effect.provide(services)
    )
  })

// Credential uses are appended by a background flush: this server flushes often, so the test can
// wait for it.
layer(TestServer.layer({ AUTH_USE_FLUSH_INTERVAL: "100 millis" }), {
  timeout: 120_000,
  excludeTestServices: true
})("audit of authentication over the API", (it) => {
  it.effect(
    "auth successes and failures, key creation and revocation are audited with their actor; no secret is",
    () =>
      TestServer.use(({ url, tenants, services }) =>
        Effect.gen(function* () {
          const admin = tenants[1]!.apiKey
          const customerId = tenants[1]!.customer.id as Ids.CustomerId
          const created = yield* call(url, "POST", "/api-keys/create", {
            token: admin,
            json: { name: "audited", scopes: ["invoices:read"] }
          })
          const secret: string = created.body.secret
          const keyId: string = created.body.apiKey.id
          assert.strictEqual((yield* call(url, "GET", "/invoices", { token: secret })).status, 200)
          const session = yield* call(url, "POST", "/auth/authenticate", { token: admin })
          const revoked = yield* call(url, "DELETE", `/api-keys/${keyId}`, { token: session.body.token })
          assert.strictEqual(revoked.status, 200)
          assert.strictEqual((yield* call(url, "GET", "/invoices", { token: secret })).status, 401)

          // A successful use is counted and appended by the background flush (every 5 s): wait
          // for it (the test's timeout is the only bound).
          const list = Effect.provide(
            AuditLog.AuditLog.use((log) => log.list(customerId)),
            services
          )
          let events = yield* list
          while (!events.some((e) => e.action === "auth.used" && (e.payload as any).keyId === keyId)) {
            yield* Effect.sleep("100 millis")
            events = yield* list
          }
          const about = events.filter((e) => e.subjectId === keyId || (e.payload as any).keyId === keyId)
          const actions = about.map((e) => e.action)
          assert.includeMembers(actions, ["api_key.created", "auth.used", "api_key.revoked", "auth.failed"])
          // One request used the key before its revocation; the one after was refused (auth.failed).
          const uses = about.filter((e) => e.action === "auth.used")
          assert.deepStrictEqual(
            uses.map((e) => [(e.payload as any).method, (e.payload as any).client, (e.payload as any).count]),
            [["api_key", "127.0.0.1", 1]]
          )
          // The actor is the request's principal, recorded by the database: the key that created,
          // the session that revoked, the key that authenticated.
          const actorOf = (action: string) => about.find((e) => e.action === action)!.actor
          assert.strictEqual(actorOf("api_key.created"), `api_key:${keyIdOf(admin)}`)
          assert.match(actorOf("api_key.revoked"), /^session:/)
          assert.strictEqual(actorOf("auth.used"), `api_key:${keyId}`)
          assert.isTrue(about.every((e) => e.dbRole === "securebase_app"))
          const failed = about.find((e) => e.action === "auth.failed")!
          assert.strictEqual((failed.payload as any).code, "AUTH.KEY_REVOKED")
          assert.strictEqual((failed.payload as any).client, "127.0.0.1")
          const everything = JSON.stringify(events)
          assert.notInclude(everything, secret.split("_")[3]!, "the secret never reaches the audit trail")
          const verification = yield* Effect.provide(
            AuditLog.AuditLog.use((log) => log.verify(customerId)),
            services
          )
          assert.strictEqual(verification._tag, "ChainIntact")
        })
      )
  )
})

// The checkpoint tests need chains that no background write changes: this server's flush of
// counted credential uses waits an hour (each test appends what it needs itself).
layer(
  TestServer.layer({
    AUDIT_CHECKPOINT_DIR: checkpointDir,
    AUDIT_SIGNING_KEY: signingKey,
    AUTH_USE_FLUSH_INTERVAL: "1 hour"
  }),
  {
    timeout: 120_000,
    excludeTestServices: true
  }
)("audit over the API", (it) => {
  it.effect(
    "GET /audit/events pages the tenant's own chain, newest first; another tenant's never appears",
    () =>
      TestServer.use(({ url, tenants }) =>
        Effect.gen(function* () {
          const token = tenants[0]!.apiKey
          const customerId = tenants[0]!.customer.id
          const seen: Array<{ seq: number; customerId: string; id: string }> = []
          let cursor: string | null = null
          do {
            const page: any = yield* call(
              url,
              "GET",
              `/audit/events?limit=3${cursor === null ? "" : `&cursor=${cursor}`}`,
              {
                token
              }
            )
            assert.strictEqual(page.status, 200)
            assert.isAtMost(page.body.data.length, 3)
            seen.push(...page.body.data)
            cursor = page.body.nextCursor
          } while (cursor !== null)
          const top = seen[0]!.seq
          assert.deepStrictEqual(
            seen.map((e) => e.seq),
            Array.from({ length: top }, (_, i) => top - i),
            "every event down to the first, once, newest first"
          )
          assert.isTrue(seen.every((e) => e.customerId === customerId))
          const other = yield* call(url, "GET", "/audit/events?limit=100", { token: tenants[3]!.apiKey })
          assert.strictEqual(other.status, 200)
          const ours = new Set(seen.map((e) => e.id))
          assert.isTrue(other.body.data.length > 0)
          assert.isTrue(
            other.body.data.every((e: any) => e.customerId === tenants[3]!.customer.id && !ours.has(e.id))
          )
        })
      )
  )

  it.effect("bad paging answers 400 naming the field; a key without audit:read gets 403", () =>
    TestServer.use(({ url, tenants }) =>
      Effect.gen(function* () {
        const token = tenants[2]!.apiKey
        for (const query of ["cursor=abc", "cursor=0", "cursor=-1", "limit=0", "limit=101", "limit=x"]) {
          const r = yield* call(url, "GET", `/audit/events?${query}`, { token })
          assert.strictEqual(r.status, 400, query)
          assert.strictEqual(r.body.code, "REQUEST.INVALID", query)
        }
        const narrow = yield* call(url, "POST", "/api-keys/create", {
          token,
          json: { name: "no audit", scopes: ["invoices:read"] }
        })
        for (const path of ["/audit/events", "/audit/checkpoint"]) {
          const r = yield* call(url, "GET", path, { token: narrow.body.secret })
          assert.deepStrictEqual([r.status, r.body.code], [403, "AUTH.SCOPE_MISSING"], path)
        }
      })
    )
  )

  it.effect(
    "GET /audit/checkpoint: none at first, then the signed checkpoint, which the customer verifies with the published key",
    () =>
      TestServer.use(({ url, tenants, services }) =>
        Effect.gen(function* () {
          const token = tenants[2]!.apiKey
          const customerId = tenants[2]!.customer.id as Ids.CustomerId
          const before = yield* call(url, "GET", "/audit/checkpoint", { token })
          assert.strictEqual(before.status, 200)
          assert.isNull(before.body.checkpoint)
          assert.deepStrictEqual(
            [before.body.verification.status, before.body.verification.checkpointSeq],
            ["intact", null]
          )
          const written = yield* checkpointNow(services, customerId)
          assert.strictEqual(written._tag, "Written")
          // A session issued after the checkpoint is audited at once: an unanchored event.
          assert.strictEqual((yield* call(url, "POST", "/auth/authenticate", { token })).status, 200)
          const after = yield* call(url, "GET", "/audit/checkpoint", { token })
          const c = after.body.checkpoint
          assert.strictEqual(c.customerId, customerId)
          assert.strictEqual(c.keyId, "api-test")
          assert.strictEqual(after.body.verification.status, "intact")
          assert.strictEqual(after.body.verification.checkpointSeq, c.seq)
          assert.strictEqual(after.body.verification.unanchored, 1)
          const key = after.body.keys.find((k: any) => k.keyId === c.keyId)
          assert.strictEqual(key.algorithm, "Ed25519")
          // The customer's own check, from the documented encoding and the published key alone.
          const signed = [
            "securebase-audit-checkpoint/1",
            `customer:${c.customerId}`,
            `seq:${c.seq}`,
            `hash:${c.hash}`,
            `events:${c.events}`,
            `signed-at:${c.signedAt}`,
            `key-id:${c.keyId}`,
            `algorithm:${c.algorithm}`
          ].join("\n")
          const publicKey = createPublicKey({
            key: { kty: "OKP", crv: "Ed25519", x: key.publicKey },
            format: "jwk"
          })
          assert.isTrue(verify(null, Buffer.from(signed), publicKey, Buffer.from(c.signature, "base64url")))
          assert.isFalse(
            verify(
              null,
              Buffer.from(signed.replace(`seq:${c.seq}`, `seq:${c.seq - 1}`)),
              publicKey,
              Buffer.from(c.signature, "base64url")
            )
          )
          // The checkpointed event is the customer's own, with that hash.
          const page = yield* call(url, "GET", `/audit/events?limit=1&cursor=${c.seq + 1}`, { token })
          assert.deepStrictEqual([page.body.data[0].seq, page.body.data[0].hash], [c.seq, c.hash])
          // Another tenant sees its own (no) checkpoint, never this one.
          const other = yield* call(url, "GET", "/audit/checkpoint", { token: tenants[1]!.apiKey })
          assert.isTrue(
            other.body.checkpoint === null || other.body.checkpoint.customerId === tenants[1]!.customer.id
          )
        })
      )
  )

  it.effect("a chain whose latest events were deleted is reported broken to its customer", () =>
    TestServer.use(({ url, tenants, services }) =>
      Effect.gen(function* () {
        const token = tenants[3]!.apiKey
        const customerId = tenants[3]!.customer.id as Ids.CustomerId
        const written = yield* checkpointNow(services, customerId)
        const seq = written._tag === "Written" ? written.checkpoint.seq : -1
        assert.isAbove(seq, 2)
        // The database's superuser removes the last two events (the one way left to do it).
        yield* Effect.provide(
          SqlClient.SqlClient.use((sql) =>
            sql.withTransaction(
              Effect.andThen(
                sql.unsafe("SET LOCAL session_replication_role = replica"),
                sql`DELETE FROM audit_events WHERE customer_id = ${customerId} AND seq >= ${seq - 1}`
              )
            )
          ),
          services
        )
        // A session issued now is audited at once and re-uses seq - 1, so the first missing one is seq.
        assert.strictEqual((yield* call(url, "POST", "/auth/authenticate", { token })).status, 200)
        const r = yield* call(url, "GET", "/audit/checkpoint", { token })
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.body.verification.status, "broken")
        assert.strictEqual(r.body.verification.checkpointSeq, seq)
        assert.deepStrictEqual(r.body.verification.failure, { seq, eventId: null, reason: "truncated" })
      })
    )
  )
})

layer(TestServer.layer({ AUDIT_CHECKPOINT_DIR: brokenStore, AUDIT_SIGNING_KEY: signingKey }), {
  timeout: 120_000,
  excludeTestServices: true
})("audit over the API, with the checkpoint store failing", (it) => {
  it.effect(
    "GET /audit/checkpoint answers 503 with the store's code, never 500; the trail stays readable",
    () =>
      TestServer.use(({ url, tenants }) =>
        Effect.gen(function* () {
          const token = tenants[0]!.apiKey
          const r = yield* call(url, "GET", "/audit/checkpoint", { token })
          assert.deepStrictEqual([r.status, r.body.code], [503, "AUDIT.CHECKPOINT_STORE_FAILURE"])
          assert.notInclude(JSON.stringify(r.body), "ENOTDIR", "no internals in the answer")
          assert.strictEqual((yield* call(url, "GET", "/audit/events", { token })).status, 200)
        })
      )
  )
})
