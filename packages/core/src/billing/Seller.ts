/**
 * Who issues the invoices: the seller block of the PDF and the e-mails (name, address, tax id,
 * logo, payment instructions, support contact). Configuration decides it (the app's `SELLER_*`
 * variables); {@link demo} is the clearly fictitious default of the embedded demo.
 */
import { Context } from "effect"

/** A logo image as the PDF embeds it. */
export interface Logo {
  readonly format: "png" | "jpeg"
  readonly bytes: Uint8Array
}

/** The seller printed on invoices and named in their e-mails. */
export interface Seller {
  readonly name: string
  readonly addressLines: ReadonlyArray<string>
  readonly taxId?: string | undefined
  /** Where customers write with questions about an invoice. */
  readonly supportEmail: string
  /** How to pay (bank details, a payment page); printed under an open invoice. */
  readonly paymentInstructions?: string | undefined
  readonly logo?: Logo | undefined
}

/** The demo seller: obviously not a real company, so no one mistakes a demo invoice for a bill. */
export const demo: Seller = {
  name: "SecureBase Demo Seller (configure SELLER_NAME)",
  addressLines: ["100 Example Street", "Springfield, EX 00000", "Nowhere"],
  taxId: "DEMO-TAX-ID",
  supportEmail: "billing-support@securebase.example",
  paymentInstructions: "Demo only: configure SELLER_PAYMENT_INSTRUCTIONS with your bank or payment page."
}

/** The seller of the current process (the demo seller unless the composition provides one). */
export const CurrentSeller = Context.Reference<Seller>("@securebase/core/billing/Seller/CurrentSeller", {
  defaultValue: () => demo
})
