/**
 * The Secrets Manager overlay, read with the real AWS SDK client.
 *
 * STAND-IN: there is no Secrets Manager emulator on this machine, so the client talks to a small
 * local HTTP server below that speaks the service's JSON protocol for `GetSecretValue` only
 * (`X-Amz-Target: secretsmanager.GetSecretValue`, `application/x-amz-json-1.1`, errors as
 * `{"__type": …}`), as documented in the Secrets Manager API reference. It proves the request the
 * SDK sends and the decoding of the answer, not AWS's authorization or KMS.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted } from "effect"
import * as Container from "../../src/lambda/Container.ts"
import * as Secrets from "../../src/lambda/Secrets.ts"

const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:securebase/dev-AbCdEf"
const secrets = new Map<string, string>()
const seen: Array<{ target: string | undefined; body: any; signed: boolean }> = []
let server: Server
let endpoint: string

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = ""
    req.on("data", (chunk) => {
      raw += chunk
    })
    req.on("end", () => {
      const body = JSON.parse(raw || "{}")
      const target = req.headers["x-amz-target"] as string | undefined
      seen.push({
        target,
        body,
        signed: String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256")
      })
      res.setHeader("content-type", "application/x-amz-json-1.1")
      const value = secrets.get(body.SecretId)
      if (target !== "secretsmanager.GetSecretValue" || value === undefined) {
        res.statusCode = 400
        res.end(
          JSON.stringify({
            __type: "ResourceNotFoundException",
            message: "Secrets Manager can't find the specified secret."
          })
        )
        return
      }
      res.end(
        JSON.stringify({
          ARN: body.SecretId,
          Name: "securebase/dev",
          SecretString: value,
          VersionId: "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1",
          VersionStages: ["AWSCURRENT"],
          CreatedDate: 1.523477145713e9
        })
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
})

const client = () =>
  new SecretsManagerClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
  })

describe("Secrets.overlay", () => {
  it("leaves the environment alone without SECRETS_ARN (and calls nothing)", async () => {
    const before = seen.length
    const env = { DATABASE_URL: "postgres://env" }
    assert.strictEqual(await Effect.runPromise(Secrets.overlay(env, client)), env)
    assert.strictEqual(seen.length, before)
  })

  it("lays the secret's variables over the environment (the secret wins)", async () => {
    secrets.set(
      arn,
      JSON.stringify({ DATABASE_URL: "postgres://from-secret", JWT_SIGNING_KEYS: "k1:s3cr3t" })
    )
    const env = await Effect.runPromise(
      Secrets.overlay({ SECRETS_ARN: arn, DATABASE_URL: "postgres://env", PORT: "8080" }, client)
    )
    assert.deepStrictEqual(env, {
      SECRETS_ARN: arn,
      DATABASE_URL: "postgres://from-secret",
      JWT_SIGNING_KEYS: "k1:s3cr3t",
      PORT: "8080"
    })
    const request = seen.at(-1)!
    assert.strictEqual(request.target, "secretsmanager.GetSecretValue")
    assert.deepStrictEqual(request.body, { SecretId: arn })
    assert.isTrue(request.signed)
  })

  it("refuses a secret that is not a JSON object of strings, without quoting it", async () => {
    for (const value of ["not json at all: hunter2", JSON.stringify({ PORT: 8080 }), JSON.stringify(["a"])]) {
      secrets.set(arn, value)
      const exit = await Effect.runPromiseExit(Secrets.overlay({ SECRETS_ARN: arn }, client))
      assert.isTrue(Exit.isFailure(exit))
      const message = String(Exit.isFailure(exit) ? exit.cause : "")
      assert.include(message, "SecretString must be a JSON object of string values")
      assert.notInclude(message, "hunter2")
    }
  })

  it("reports a missing secret with the service's error name", async () => {
    const missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-000000"
    const error = await Effect.runPromise(Effect.flip(Secrets.overlay({ SECRETS_ARN: missing }, client)))
    assert.strictEqual(error._tag, "SecretsUnavailable")
    assert.include(error.message, "ResourceNotFoundException")
    assert.include(error.message, missing)
  })
})

describe("Container.loadConfig", () => {
  it("reads the secret at cold start, before ServerConfig.load validates the result", async () => {
    secrets.set(
      arn,
      JSON.stringify({ JWT_SIGNING_KEYS: "k2:second-secret,k1:first-secret", RATE_LIMIT_REQUESTS: "42" })
    )
    const config = await Effect.runPromise(
      Container.loadConfig({
        env: () => ({ SECRETS_ARN: arn, RATE_LIMIT_REQUESTS: "7" }),
        secretsClient: client
      })
    )
    assert.deepStrictEqual(
      config.signingKeys.map((k) => [k.kid, Redacted.value(k.secret)]),
      [
        ["k2", "second-secret"],
        ["k1", "first-secret"]
      ]
    )
    assert.strictEqual(config.rateLimit.limit, 42)
    // The Lambda defaults: the gateway's sourceIp is trusted, no demo tenants.
    assert.isTrue(config.rateLimit.trustProxy)
    assert.isFalse(config.seedDemo)
  })

  it("still validates: a secret cannot smuggle the development key into prod", async () => {
    secrets.set(
      arn,
      JSON.stringify({
        DATABASE_URL: "postgres://securebase_app@proxy.example:5432/securebase",
        JWT_SIGNING_KEYS: "dev-1:securebase-development-signing-secret-not-for-production"
      })
    )
    const error = await Effect.runPromise(
      Effect.flip(
        Container.loadConfig({
          env: () => ({ SECRETS_ARN: arn, SECUREBASE_ENV: "prod" }),
          secretsClient: client
        })
      )
    )
    assert.strictEqual(error._tag, "ConfigurationError")
    assert.include(error.message, "signing secret dev-1 is published in the SecureBase source")
  })
})
