/**
 * The ports the scheduled jobs need beyond the API's services: the billing run's claims, invoice
 * numbers, the outbox and the past-due query (`PgBilling`, on the container's database), and the
 * mailer: Amazon SES v2 when `MAILER=ses` (what template.yaml sets; `MAIL_FROM` is the verified
 * sender, `SES_ENDPOINT` overrides the endpoint), otherwise `.eml` files in `OUTBOX_DIR`.
 *
 * The settings are read from the container's environment (after the Secrets Manager overlay), with
 * the same names as `npm run bill`.
 */
import { PgBilling } from "@securebase/adapters"
import type { BillingClaims, InvoiceNumbers, Mailer, Outbox, PastDueInvoices } from "@securebase/core"
import { type Config, ConfigProvider, Effect, Layer } from "effect"
import * as MailerConfig from "../Mail.ts"
import type * as Container from "./Container.ts"

/** The ports of the jobs that the API's services do not provide. */
export type JobPorts =
  | BillingClaims.BillingClaims
  | InvoiceNumbers.InvoiceNumbers
  | Outbox.Outbox
  | PastDueInvoices.PastDueInvoices
  | Mailer.Mailer

/** The mailer chosen by the container's environment (the same settings as `npm run bill`). */
export const mailerLayer = (app: Container.App): Layer.Layer<Mailer.Mailer, Config.ConfigError> =>
  Layer.unwrap(
    Effect.map(
      MailerConfig.config("/tmp/securebase-outbox").pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env: app.env }))
      ),
      MailerConfig.layer
    )
  )

/** The jobs' ports on the container's services. */
export const layer = (app: Container.App) => Layer.merge(PgBilling.layer, mailerLayer(app))
