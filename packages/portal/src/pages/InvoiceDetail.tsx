/**
 * One invoice: its state and dates, its lines (quantity, allowance, what was billable and how it
 * was priced), the discount and its share per line, each tax, the total, and the PDF. Another
 * tenant's invoice id answers 404 like an unknown one, and so does this page. When payments are
 * online (`paymentsOnline` of `GET /account`) an unpaid invoice links to the provider's hosted
 * payment page; with manual payments the payment link is never asked for.
 */
import type { CreditNote, Ids, Invoice, Payment } from "@securebase/core"
import { useEffect, useState } from "react"
import { ApiFailure, call } from "../api/Client.ts"
import { useApi } from "../api/useApi.ts"
import { Badge } from "../components/Badge.tsx"
import { Show } from "../components/States.tsx"
import { TableWrap } from "../components/TableWrap.tsx"
import { formatDate, formatPeriodUtc } from "../format/Dates.ts"
import { formatMoney, formatPercent, formatPreciseMoney, formatQuantity } from "../format/Money.ts"
import { Link } from "../Router.tsx"

type Resend =
  | { readonly state: "idle" }
  | { readonly state: "sending" }
  | { readonly state: "sent"; readonly message: string }
  | { readonly state: "failed"; readonly message: string }

/** The "send the e-mail again" button and what came of it (at most three per invoice each hour). */
const ResendButton = ({ id, sendable }: { readonly id: Ids.InvoiceId; readonly sendable: boolean }) => {
  const [resend, setResend] = useState<Resend>({ state: "idle" })
  if (!sendable) return null
  const send = () => {
    setResend({ state: "sending" })
    call((client) => client.invoices.resend({ params: { id } })).then(
      (receipt) =>
        setResend({
          state: "sent",
          message: `The invoice e-mail is on its way to ${receipt.recipient}. ${
            receipt.remainingThisHour === 0
              ? "That was the last resend this hour allows."
              : `${receipt.remainingThisHour} more resend${receipt.remainingThisHour === 1 ? "" : "s"} this hour.`
          }`
        }),
      (failure: unknown) =>
        setResend({
          state: "failed",
          message:
            failure instanceof ApiFailure && failure.status === 429
              ? "This invoice's e-mail was already sent again three times this hour. Try again next hour."
              : failure instanceof ApiFailure
                ? failure.message
                : String(failure)
        })
    )
  }
  return (
    <div className="resend">
      <button type="button" className="secondary" onClick={send} disabled={resend.state === "sending"}>
        {resend.state === "sending" ? "Sending…" : "Resend e-mail"}
      </button>
      <p
        className={resend.state === "failed" ? "field-error" : resend.state === "sent" ? "notice" : undefined}
        role="status"
        aria-live="polite"
      >
        {resend.state === "sent" || resend.state === "failed" ? resend.message : ""}
      </p>
    </div>
  )
}

type PayLink =
  | { readonly state: "loading" }
  | { readonly state: "ready"; readonly url: string | null }
  | { readonly state: "pending" }
  | { readonly state: "failed"; readonly message: string }

/**
 * "Pay online": the provider's hosted page of an unpaid invoice, or word that it is on its way
 * (404 `PAYMENT.NOT_FOUND` until the invoice's push has delivered). Only rendered when payments
 * are online and the invoice is unpaid, so manual deployments never call the endpoint.
 */
const PayOnline = ({ id }: { readonly id: Ids.InvoiceId }) => {
  const [link, setLink] = useState<PayLink>({ state: "loading" })
  useEffect(() => {
    let live = true
    call((client) => client.payments.invoicePayment({ params: { id } })).then(
      (payment) => live && setLink({ state: "ready", url: payment.hostedUrl }),
      (failure: unknown) =>
        live &&
        setLink(
          failure instanceof ApiFailure && failure.status === 404
            ? { state: "pending" }
            : { state: "failed", message: failure instanceof ApiFailure ? failure.message : String(failure) }
        )
    )
    return () => {
      live = false
    }
  }, [id])
  switch (link.state) {
    case "loading":
      return null
    case "ready":
      return link.url === null ? null : (
        <a className="button" href={link.url} target="_blank" rel="noopener noreferrer">
          Pay online
        </a>
      )
    case "pending":
      return (
        <p className="muted" role="status">
          The online payment link is not available yet.
        </p>
      )
    case "failed":
      return (
        <p className="field-error" role="status">
          The payment link could not be loaded: {link.message}
        </p>
      )
  }
}

/**
 * How a line's exact amount was reached: one row per band, package group, rate or adjustment, in
 * exact major units; the rows add up to the precise amount, which is rounded once to the line's.
 */
const LineBreakdown = ({
  line,
  currency
}: {
  readonly line: Invoice.InvoiceLine
  readonly currency: string
}) => {
  if (line.breakdown.length === 0 || line.preciseAmount === null) return null
  const precise = (d: Parameters<typeof formatPreciseMoney>[0]) => formatPreciseMoney(d, currency)
  return (
    <details className="breakdown">
      <summary>How {line.description} was priced</summary>
      <table>
        <caption className="visually-hidden">Breakdown of {line.description}</caption>
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col" className="num">
              Units
            </th>
            <th scope="col" className="num">
              Unit price
            </th>
            <th scope="col" className="num">
              Flat fee
            </th>
            <th scope="col" className="num">
              Exact amount
            </th>
          </tr>
        </thead>
        <tbody>
          {line.breakdown.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their order
            <tr key={i}>
              <th scope="row">
                {row.description}
                {row.from === null && row.to === null
                  ? ""
                  : ` (${row.from === null ? "0" : formatQuantity(row.from)} to ${
                      row.to === null ? "no limit" : formatQuantity(row.to)
                    })`}
              </th>
              <td className="num">{formatQuantity(row.units)}</td>
              <td className="num">
                {row.unitPrice === null
                  ? "—"
                  : row.kind === "rate"
                    ? formatPercent(row.unitPrice)
                    : precise(row.unitPrice)}
              </td>
              <td className="num">{row.flatFee === null ? "—" : precise(row.flatFee)}</td>
              <td className="num">{precise(row.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Exact amount {precise(line.preciseAmount)}, rounded once to {formatMoney(line.amount, currency)}.
      </p>
    </details>
  )
}

const methods: Record<Payment.PaymentMethod, string> = {
  bank_transfer: "Bank transfer",
  card: "Card",
  check: "Check",
  cash: "Cash",
  direct_debit: "Direct debit",
  other: "Other"
}

/**
 * What happened to the invoice after issue: the amount still due, the payments received and the
 * credit notes issued, each with the tax it reverses and its own PDF. Nothing for a draft or an invoice with neither.
 */
const PaymentsAndCredits = ({
  inv
}: {
  readonly inv: {
    readonly id: Ids.InvoiceId
    readonly status: Invoice.InvoiceStatus
    readonly currency: string
    readonly amountDue: bigint
    readonly payments: ReadonlyArray<Payment.Payment>
    readonly creditNotes: ReadonlyArray<CreditNote.CreditNote>
  }
}) => {
  if (inv.status === "draft") return null
  const money = (amount: bigint) => formatMoney(amount, inv.currency)
  return (
    <section aria-labelledby="payments-title">
      <h2 id="payments-title">Payments and credits</h2>
      <p>
        Amount due: <strong className="amount-due">{money(inv.amountDue)}</strong>
      </p>
      {inv.payments.length === 0 ? (
        // A paid invoice without payment rows was settled outside the receivables (its facts say when).
        inv.status === "paid" || inv.status === "cancelled" ? null : (
          <p className="muted">No payment received yet.</p>
        )
      ) : (
        <TableWrap label="Payments received">
          <table>
            <caption className="visually-hidden">Payments received</caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Method</th>
                <th scope="col">Reference</th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {inv.payments.map((p) => (
                <tr key={p.id}>
                  <th scope="row">{formatDate(p.paidAt)}</th>
                  <td>{methods[p.method]}</td>
                  <td>{p.reference}</td>
                  <td className="num">{money(p.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {inv.creditNotes.length === 0 ? null : (
        <TableWrap label="Credit notes">
          <table>
            <caption className="visually-hidden">Credit notes</caption>
            <thead>
              <tr>
                <th scope="col">Credit note</th>
                <th scope="col">Issued</th>
                <th scope="col">Reason</th>
                <th scope="col" className="num">
                  Credited
                </th>
                <th scope="col" className="num">
                  Refunded
                </th>
                <th scope="col" className="num">
                  Tax
                </th>
                <th scope="col">PDF</th>
              </tr>
            </thead>
            <tbody>
              {inv.creditNotes.map((note) => (
                <tr key={note.id}>
                  <th scope="row">{note.number}</th>
                  <td>{formatDate(note.issuedAt)}</td>
                  <td>{note.reason}</td>
                  <td className="num">{money(note.credited)}</td>
                  <td className="num">{money(note.refunded)}</td>
                  <td className="num">
                    {note.taxLines === null || note.tax === null ? (
                      // Issued before credit notes recorded their tax split: nothing to state.
                      <span title="Not stated: issued before credit notes recorded their tax">—</span>
                    ) : note.taxLines.length <= 1 ? (
                      money(note.tax)
                    ) : (
                      <span
                        title={note.taxLines
                          .map((t) => `${t.name} ${formatPercent(t.rate)}: ${money(t.amount)}`)
                          .join("\n")}
                      >
                        {money(note.tax)}
                      </span>
                    )}
                  </td>
                  <td>
                    <a
                      href={`/invoices/${encodeURIComponent(inv.id)}/credit-notes/${encodeURIComponent(note.id)}/download`}
                      download={`${note.number}.pdf`}
                      aria-label={`Download credit note ${note.number} (PDF)`}
                    >
                      Download
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  )
}

/** The invoice page; `paymentsOnline` from the account says whether to show "Pay online". */
export const InvoiceDetail = ({
  id,
  paymentsOnline
}: {
  readonly id: string
  readonly paymentsOnline: boolean
}) => {
  const invoice = useApi((client) => client.invoices.get({ params: { id: id as Ids.InvoiceId } }), [id])
  return (
    <>
      <p className="back">
        <Link href="/portal/invoices">← All invoices</Link>
      </p>
      <Show loaded={invoice} what="the invoice">
        {(inv) => {
          const money = (amount: bigint) => formatMoney(amount, inv.currency)
          return (
            <article aria-labelledby="invoice-title">
              <header className="page-head">
                <div>
                  <h1 id="invoice-title" tabIndex={-1}>
                    {inv.number === null ? "Draft invoice" : `Invoice ${inv.number}`}
                  </h1>
                  <p className="muted">
                    {formatPeriodUtc(inv.period)} · {inv.plan} plan · <Badge value={inv.status} />
                  </p>
                </div>
                <div className="actions">
                  {paymentsOnline && (inv.status === "issued" || inv.status === "overdue") ? (
                    <PayOnline id={inv.id} />
                  ) : null}
                  <a
                    className="button"
                    href={`/invoices/${encodeURIComponent(inv.id)}/download`}
                    download={`${inv.number ?? `draft-${inv.id}`}.pdf`}
                  >
                    Download PDF
                  </a>
                  <ResendButton id={inv.id} sendable={inv.status !== "draft" && inv.status !== "cancelled"} />
                </div>
              </header>
              <dl className="facts">
                <div>
                  <dt>Issued</dt>
                  <dd>{inv.issuedAt === null ? "Not yet" : formatDate(inv.issuedAt)}</dd>
                </div>
                <div>
                  <dt>Due</dt>
                  <dd>{inv.dueAt === null ? "—" : `${formatDate(inv.dueAt)} (net ${inv.netDays})`}</dd>
                </div>
                {inv.paidAt === null ? null : (
                  <div>
                    <dt>Paid</dt>
                    <dd>{formatDate(inv.paidAt)}</dd>
                  </div>
                )}
                {inv.overdueAt === null ? null : (
                  <div>
                    <dt>Overdue since</dt>
                    <dd>{formatDate(inv.overdueAt)}</dd>
                  </div>
                )}
                {inv.cancelledAt === null ? null : (
                  <div>
                    <dt>Cancelled</dt>
                    <dd>
                      {formatDate(inv.cancelledAt)}
                      {inv.cancellationReason === null ? "" : `: ${inv.cancellationReason}`}
                    </dd>
                  </div>
                )}
                <div>
                  <dt>Total</dt>
                  <dd className="total">{money(inv.total)}</dd>
                </div>
              </dl>
              <h2>Lines</h2>
              <TableWrap label="Invoice lines">
                <table>
                  <caption className="visually-hidden">Invoice lines</caption>
                  <thead>
                    <tr>
                      <th scope="col">Charge</th>
                      <th scope="col" className="num">
                        Quantity
                      </th>
                      <th scope="col" className="num">
                        Included
                      </th>
                      <th scope="col" className="num">
                        Billable
                      </th>
                      <th scope="col">Pricing</th>
                      <th scope="col" className="num">
                        Amount
                      </th>
                      <th scope="col" className="num">
                        Discount share
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {inv.lines.map((line) => (
                      <tr key={line.position}>
                        <th scope="row">
                          {line.description}
                          <LineBreakdown line={line} currency={inv.currency} />
                        </th>
                        <td className="num">{formatQuantity(line.quantity)}</td>
                        <td className="num">{line.kind === "flat" ? "—" : formatQuantity(line.included)}</td>
                        <td className="num">{line.kind === "flat" ? "—" : formatQuantity(line.billable)}</td>
                        <td>{line.pricing}</td>
                        <td className="num">{money(line.amount)}</td>
                        <td className="num">{line.discount === 0n ? "—" : `−${money(line.discount)}`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <h2>Totals</h2>
              <table className="totals">
                <caption className="visually-hidden">Invoice totals</caption>
                <tbody>
                  <tr>
                    <th scope="row">Subtotal</th>
                    <td className="num">{money(inv.subtotal)}</td>
                  </tr>
                  {inv.discounts.length === 0 ? (
                    <tr>
                      <th scope="row">Discount</th>
                      <td className="num">{money(0n)}</td>
                    </tr>
                  ) : (
                    inv.discounts.map((d) => (
                      <tr key={`${d.kind}-${d.code}`}>
                        <th scope="row">
                          {d.kind === "coupon" ? `Coupon ${d.code}: ${d.description}` : d.description}
                        </th>
                        <td className="num">−{money(d.amount)}</td>
                      </tr>
                    ))
                  )}
                  {inv.discounts.length > 1 ? (
                    <tr>
                      <th scope="row">Total discount</th>
                      <td className="num">−{money(inv.discount)}</td>
                    </tr>
                  ) : null}
                  <tr>
                    <th scope="row">Taxable</th>
                    <td className="num">{money(inv.taxable)}</td>
                  </tr>
                  {inv.taxLines.map((tax) => (
                    <tr key={`${tax.jurisdiction}-${tax.name}`}>
                      <th scope="row">
                        {tax.name} ({formatPercent(tax.rate)} of {money(tax.taxable)})
                      </th>
                      <td className="num">{money(tax.amount)}</td>
                    </tr>
                  ))}
                  {inv.taxExemption === null ? null : (
                    <tr>
                      <th scope="row">Tax exempt: {inv.taxExemption}</th>
                      <td className="num">{money(0n)}</td>
                    </tr>
                  )}
                  <tr className="grand">
                    <th scope="row">Total</th>
                    <td className="num">{money(inv.total)}</td>
                  </tr>
                </tbody>
              </table>
              <PaymentsAndCredits inv={inv} />
            </article>
          )
        }}
      </Show>
    </>
  )
}
