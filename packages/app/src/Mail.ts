/**
 * The mailer a process sends with, chosen by the environment, for every entry point that delivers
 * mail (`npm run bill`, the Lambda jobs): Amazon SES v2 when `MAILER=ses` (`MAIL_FROM` is the
 * verified sender, `SES_ENDPOINT` overrides the endpoint; region and credentials come from the
 * AWS SDK's usual environment), otherwise `.eml` files a person can open, in `OUTBOX_DIR`.
 * `MAIL_REPLY_TO` (optional) is where replies go, e.g. the support desk.
 */
import { LocalOutboxMailer, SesMailer } from "@securebase/adapters"
import type { Mailer } from "@securebase/core"
import { Config, type Layer, Option } from "effect"

/** The mail settings. */
export interface MailerSettings {
  readonly kind: "ses" | "outbox"
  readonly from: string
  readonly replyTo: Option.Option<string>
  readonly sesEndpoint: Option.Option<string>
  readonly outboxDir: string
}

/** What the environment says, with the outbox directory defaulting to `defaultOutboxDir`. */
export const config = (defaultOutboxDir: string): Config.Config<MailerSettings> =>
  Config.all({
    kind: Config.Literals(["ses", "outbox"] as const, "MAILER").pipe(Config.withDefault("outbox" as const)),
    from: Config.String("MAIL_FROM").pipe(
      Config.withDefault("SecureBase Billing <billing@securebase.local>")
    ),
    replyTo: Config.String("MAIL_REPLY_TO").pipe(Config.option),
    sesEndpoint: Config.String("SES_ENDPOINT").pipe(Config.option),
    outboxDir: Config.String("OUTBOX_DIR").pipe(Config.withDefault(defaultOutboxDir))
  })

/** The mailer layer for a configuration. */
export const layer = (c: MailerSettings): Layer.Layer<Mailer.Mailer> =>
  c.kind === "ses"
    ? SesMailer.layer({
        from: c.from,
        replyTo: Option.getOrUndefined(c.replyTo),
        clientConfig: Option.match(c.sesEndpoint, {
          onNone: () => ({}),
          onSome: (endpoint) => ({ endpoint })
        })
      })
    : LocalOutboxMailer.layer({ dir: c.outboxDir, from: c.from, replyTo: Option.getOrUndefined(c.replyTo) })
