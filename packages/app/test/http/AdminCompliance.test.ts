/**
 * Compliance findings from the operator's side, over loopback: a scanner's batch is ingested once
 * (resending it changes nothing and audits nothing), the tenant sees the findings and its status,
 * a finding is resolved once (409 the second time), and bad batches, unknown ids, tenant keys and
 * missing scopes are refused with 4xx.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, operatorKey as newOperator, TestServer } from "../support/TestServer.ts"

const operatorKey = (scopes: ReadonlyArray<string>) => newOperator(scopes, "scanner")

const finding = (severity: string) => ({
  id: globalThis.crypto.randomUUID(),
  framework: "SOC2",
  controlId: "CC6.1",
  title: "MFA not enforced for console users",
  severity,
  resource: "arn:aws:iam::123456789012:user/ci",
  detectedAt: "2026-11-20T08:00:00Z"
})

layer(TestServer.layer(), { timeout: 180_000, excludeTestServices: true })(
  "/admin compliance findings",
  (it) => {
    it.effect("ingests a batch once, resolves a finding once, audited as the operator", () =>
      Effect.gen(function* () {
        const { url, tenants } = yield* TestServer
        const tenant = tenants[1]!
        const op = yield* operatorKey(["compliance:write"])
        const batch = [finding("high"), finding("low")]
        const path = `/admin/customers/${tenant.customer.id}/compliance/findings`
        const first = yield* call(url, "POST", path, { token: op.key, json: { findings: batch } })
        assert.strictEqual(first.status, 200, JSON.stringify(first.body))
        assert.sameMembers(
          first.body.created,
          batch.map((f) => f.id)
        )
        assert.deepStrictEqual(first.body.unchanged, [])
        const again = yield* call(url, "POST", path, { token: op.key, json: { findings: batch } })
        assert.deepStrictEqual(again.body.created, [])
        assert.sameMembers(
          again.body.unchanged,
          batch.map((f) => f.id)
        )

        const seen = yield* call(url, "GET", "/compliance/findings", { token: tenant.apiKey })
        const ours = seen.body.filter((f: any) => batch.some((b) => b.id === f.id))
        assert.strictEqual(ours.length, 2)
        assert.isTrue(ours.every((f: any) => f.status === "open"))

        const resolve = `${path}/${batch[0]!.id}/resolve`
        const resolved = yield* call(url, "POST", resolve, {
          token: op.key,
          json: { status: "resolved", note: "MFA enforced by SCP" }
        })
        assert.strictEqual(resolved.status, 200, JSON.stringify(resolved.body))
        assert.strictEqual(resolved.body.status, "resolved")
        assert.isNotNull(resolved.body.resolvedAt)
        const twice = yield* call(url, "POST", resolve, { token: op.key, json: { status: "accepted" } })
        assert.strictEqual(twice.status, 409)
        assert.strictEqual(twice.body.code, "COMPLIANCE.FINDING_NOT_OPEN")

        const events = yield* call(url, "GET", "/audit/events?limit=100", { token: tenant.apiKey })
        const mine = events.body.data.filter((e: any) => e.actor === `operator:${op.id}`)
        assert.deepStrictEqual(
          mine.map((e: any) => e.action).sort(),
          ["compliance.finding_resolved", "compliance.findings_ingested"],
          "one ingest (the resend appended nothing) and one resolution"
        )
      })
    )

    it.effect(
      "refuses bad batches (400), unknown customers and findings (404), tenant keys and missing scopes (403)",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const tenant = tenants[0]!
          const op = yield* operatorKey(["compliance:write"])
          const path = `/admin/customers/${tenant.customer.id}/compliance/findings`
          const one = finding("medium")
          const bad: ReadonlyArray<unknown> = [
            { findings: [] },
            { findings: [one, one] },
            { findings: [{ ...one, severity: "catastrophic" }] },
            { findings: [{ ...one, framework: "ISO-27001" }] },
            { findings: [{ ...one, id: "not-a-uuid" }] },
            { findings: [{ ...one, detectedAt: "yesterday" }] },
            { findings: [{ ...one, title: "two\nlines" }] },
            { findings: Array.from({ length: 501 }, () => finding("low")) },
            {}
          ]
          for (const json of bad) {
            const r = yield* call(url, "POST", path, { token: op.key, json })
            assert.strictEqual(r.status, 400, JSON.stringify(json).slice(0, 120))
          }
          const unknownCustomer = yield* call(
            url,
            "POST",
            `/admin/customers/${globalThis.crypto.randomUUID()}/compliance/findings`,
            { token: op.key, json: { findings: [finding("low")] } }
          )
          assert.strictEqual(unknownCustomer.status, 404)
          const unknownFinding = yield* call(
            url,
            "POST",
            `${path}/${globalThis.crypto.randomUUID()}/resolve`,
            {
              token: op.key,
              json: { status: "resolved" }
            }
          )
          assert.strictEqual(unknownFinding.status, 404)
          const asTenant = yield* call(url, "POST", path, {
            token: tenant.apiKey,
            json: { findings: [finding("low")] }
          })
          assert.strictEqual(asTenant.status, 403)
          const reader = yield* operatorKey(["customers:read"])
          const noScope = yield* call(url, "POST", path, {
            token: reader.key,
            json: { findings: [finding("low")] }
          })
          assert.strictEqual(noScope.status, 403)
          assert.strictEqual(noScope.body.code, "AUTH.SCOPE_MISSING")
        })
    )
  }
)
