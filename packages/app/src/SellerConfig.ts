/**
 * The seller printed on invoices and named in their e-mails, from the environment:
 *
 * - `SELLER_NAME`: the legal name. Unset, the demo seller ({@link Seller.demo}) is used, whose
 *   name says to configure it; set, the other fields default to nothing rather than to the demo's,
 *   so a real name is never printed beside a made-up address.
 * - `SELLER_ADDRESS`: address lines separated by a newline or `|`.
 * - `SELLER_TAX_ID`: VAT number, EIN, ….
 * - `SELLER_LOGO_FILE`: a PNG or JPEG file (at most 1 MiB), read and checked at start.
 * - `SELLER_PAYMENT_INSTRUCTIONS`: how to pay, printed on open invoices.
 * - `SUPPORT_EMAIL`: the support contact on the PDF and in the e-mails.
 */
import { readFile } from "node:fs/promises"
import { Seller } from "@securebase/core"
import { Config, Effect, Option } from "effect"

/** The raw settings (validated by {@link load}). */
export interface SellerSettings {
  readonly name: Option.Option<string>
  readonly address: Option.Option<string>
  readonly taxId: Option.Option<string>
  readonly logoFile: Option.Option<string>
  readonly paymentInstructions: Option.Option<string>
  readonly supportEmail: Option.Option<string>
}

/** Reads the settings. */
export const config: Config.Config<SellerSettings> = Config.all({
  name: Config.String("SELLER_NAME").pipe(Config.option),
  address: Config.String("SELLER_ADDRESS").pipe(Config.option),
  taxId: Config.String("SELLER_TAX_ID").pipe(Config.option),
  logoFile: Config.String("SELLER_LOGO_FILE").pipe(Config.option),
  paymentInstructions: Config.String("SELLER_PAYMENT_INSTRUCTIONS").pipe(Config.option),
  supportEmail: Config.String("SUPPORT_EMAIL").pipe(Config.option)
})

/** The largest logo accepted. */
export const maxLogoBytes = 1_048_576

/** What a logo file's first bytes say it is, or undefined when neither PNG nor JPEG. */
export const logoFormat = (bytes: Uint8Array): Seller.Logo["format"] | undefined => {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return "png"
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg"
  return undefined
}

const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/

/**
 * The seller, or the problems with the settings (one line each, naming the variable), for the
 * configuration's one report.
 */
export const load = (
  s: SellerSettings
): Effect.Effect<{ readonly seller: Seller.Seller; readonly problems: ReadonlyArray<string> }> =>
  Effect.gen(function* () {
    const problems: Array<string> = []
    const text = (o: Option.Option<string>) => Option.getOrUndefined(Option.filter(o, (v) => v.trim() !== ""))
    const logo = yield* Option.match(s.logoFile, {
      onNone: () => Effect.succeed<Seller.Logo | undefined>(undefined),
      onSome: (file) =>
        Effect.tryPromise(() => readFile(file)).pipe(
          Effect.map((bytes): Seller.Logo | undefined => {
            const format = logoFormat(bytes)
            if (bytes.length > maxLogoBytes) {
              problems.push(`SELLER_LOGO_FILE: ${file} is larger than ${maxLogoBytes} bytes`)
              return undefined
            }
            if (format === undefined) {
              problems.push(`SELLER_LOGO_FILE: ${file} is neither a PNG nor a JPEG image`)
              return undefined
            }
            return { format, bytes: new Uint8Array(bytes) }
          }),
          Effect.catch((error) => {
            const code = (error.cause as { readonly code?: string } | undefined)?.code ?? "unreadable"
            problems.push(`SELLER_LOGO_FILE: cannot read ${file} (${code})`)
            return Effect.succeed(undefined)
          })
        )
    })
    const supportEmail = text(s.supportEmail)
    if (supportEmail !== undefined && !emailPattern.test(supportEmail))
      problems.push("SUPPORT_EMAIL must be an e-mail address")
    const name = text(s.name)
    const base: Seller.Seller =
      name === undefined
        ? Seller.demo
        : { name, addressLines: [], supportEmail: supportEmail ?? Seller.demo.supportEmail }
    const address = text(s.address)
    const seller: Seller.Seller = {
      ...base,
      ...(address === undefined
        ? {}
        : {
            addressLines: address
              .split(/\n|\|/)
              .map((l) => l.trim())
              .filter((l) => l !== "")
          }),
      ...(text(s.taxId) === undefined ? {} : { taxId: text(s.taxId) }),
      ...(text(s.paymentInstructions) === undefined
        ? {}
        : { paymentInstructions: text(s.paymentInstructions) }),
      ...(supportEmail === undefined ? {} : { supportEmail }),
      ...(logo === undefined ? {} : { logo })
    }
    return { seller, problems }
  })
