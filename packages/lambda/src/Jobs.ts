/**
 * The ports the scheduled jobs need beyond the API's services: the billing run's claims, invoice
 * numbers, the outbox and the past-due query (`PgBilling`, on the container's database), and the
 * mailer: Amazon SES v2 when `MAILER=ses` (what template.yaml sets; `MAIL_FROM` is the verified
 * sender, `SES_ENDPOINT` overrides the endpoint), otherwise `.eml` files in `OUTBOX_DIR`.
 *
 * The settings are read from the container's environment (after the Secrets Manager overlay), with
 * the same names as `npm run bill`.
 */
import { LocalOutboxMailer, PgBilling, SesMailer } from "@securebase/adapters"
import type { BillingClaims, InvoiceNumbers, Mailer, Outbox, PastDueInvoices } from "@securebase/core"
import { Config, ConfigProvider, Effect, Layer, Option } from "effect"
import type * as Container from "./Container.ts"

/** The ports of the jobs that the API's services do not provide. */
export type JobPorts =
  | BillingClaims.BillingClaims
  | InvoiceNumbers.InvoiceNumbers
  | Outbox.Outbox
  | PastDueInvoices.PastDueInvoices
  | Mailer.Mailer

const mailerConfig = Config.all({
  kind: Config.Literals(["ses", "outbox"] as const, "MAILER").pipe(Config.withDefault("outbox" as const)),
  from: Config.String("MAIL_FROM").pipe(Config.withDefault("SecureBase Billing <billing@securebase.local>")),
  sesEndpoint: Config.String("SES_ENDPOINT").pipe(Config.option),
  outboxDir: Config.String("OUTBOX_DIR").pipe(Config.withDefault("/tmp/securebase-outbox"))
})

/** The mailer chosen by the container's environment. */
export const mailerLayer = (app: Container.App): Layer.Layer<Mailer.Mailer, Config.ConfigError> =>
  Layer.unwrap(
    Effect.map(
      mailerConfig.pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: app.env }))
      ),
      (c) =>
        c.kind === "ses"
          ? SesMailer.layer({
              from: c.from,
              clientConfig: Option.match(c.sesEndpoint, {
                onNone: () => ({}),
                onSome: (endpoint) => ({ endpoint })
              })
            })
          : LocalOutboxMailer.layer({ dir: c.outboxDir, from: c.from })
    )
  )

/** The jobs' ports on the container's services. */
export const layer = (app: Container.App) => Layer.merge(PgBilling.layer, mailerLayer(app))
