/**
 * Secrets for a cold start: when `SECRETS_ARN` is set, one JSON secret is read from AWS Secrets
 * Manager and laid over the environment before `ServerConfig.load` reads it, so `DATABASE_URL`,
 * `JWT_SIGNING_KEYS` and the like never sit in the function's plain configuration.
 *
 * The secret is a flat JSON object whose keys are environment variable names and whose values are
 * strings, for example `{"DATABASE_URL": "postgres://…", "JWT_SIGNING_KEYS": "k2:…,k1:…"}`. The
 * secret wins over the environment. Any other shape is refused with the reason, never half-applied.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager"
import { Effect, Schema } from "effect"

/** An environment: variable name → value. */
export type Environment = Readonly<Record<string, string | undefined>>

/** The secret could not be read or is not a flat JSON object of strings. */
export class SecretsUnavailable extends Schema.TaggedError<SecretsUnavailable>()("SecretsUnavailable", {
  secretArn: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `secret ${this.secretArn}: ${this.reason}`
  }
}

const SecretValues = Schema.fromJsonString(Schema.Record(Schema.String, Schema.String))

/** Reads one secret and decodes it as variable name → value. */
export const read = Effect.fn("Secrets.read")(function* (client: SecretsManagerClient, secretArn: string) {
  const output = yield* Effect.tryPromise({
    try: (signal) => client.send(new GetSecretValueCommand({ SecretId: secretArn }), { abortSignal: signal }),
    catch: (cause) =>
      new SecretsUnavailable({
        secretArn,
        reason: `GetSecretValue failed: ${(cause as { name?: string; message?: string }).name ?? "Error"}: ${(cause as { message?: string }).message ?? String(cause)}`
      })
  })
  if (output.SecretString === undefined) {
    return yield* new SecretsUnavailable({
      secretArn,
      reason: "the secret has no SecretString (binary secrets are not supported)"
    })
  }
  return yield* Schema.decodeUnknownEffect(SecretValues)(output.SecretString).pipe(
    // The parse error would quote the secret's text: report only that the shape is wrong.
    Effect.mapError(
      () =>
        new SecretsUnavailable({ secretArn, reason: "SecretString must be a JSON object of string values" })
    )
  )
})

/**
 * The environment with the secret named by its `SECRETS_ARN` laid over it (unchanged when unset).
 * `makeClient` builds the Secrets Manager client; the default honours the SDK's own settings
 * (region, credentials, `AWS_ENDPOINT_URL_SECRETS_MANAGER`).
 */
export const overlay = Effect.fn("Secrets.overlay")(function* (
  env: Environment,
  makeClient: () => SecretsManagerClient = () => new SecretsManagerClient({})
) {
  const secretArn = env.SECRETS_ARN
  if (secretArn === undefined || secretArn === "") return env
  const values = yield* Effect.acquireUseRelease(
    Effect.sync(makeClient),
    (client) => read(client, secretArn),
    (client) => Effect.sync(() => client.destroy())
  )
  return { ...env, ...values }
})
