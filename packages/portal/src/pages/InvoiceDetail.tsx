/**
 * One invoice: its state and dates, its lines (quantity, allowance, what was billable and how it
 * was priced), the discount and its share per line, each tax, the total, and the PDF. Another
 * tenant's invoice id answers 404 like an unknown one, and so does this page.
 */
import type { Ids } from "@securebase/core"
import { useApi } from "../api/useApi.ts"
import { Badge } from "../components/Badge.tsx"
import { Show } from "../components/States.tsx"
import { TableWrap } from "../components/TableWrap.tsx"
import { formatDate, formatPeriodUtc } from "../format/Dates.ts"
import { formatMoney, formatPercent, formatQuantity } from "../format/Money.ts"
import { Link } from "../Router.tsx"

/** The invoice page. */
export const InvoiceDetail = ({ id }: { readonly id: string }) => {
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
                <a
                  className="button"
                  href={`/invoices/${encodeURIComponent(inv.id)}/download`}
                  download={`${inv.number ?? `draft-${inv.id}`}.pdf`}
                >
                  Download PDF
                </a>
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
                        <th scope="row">{line.description}</th>
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
                  <tr>
                    <th scope="row">
                      Discount{inv.discountDescription === null ? "" : `: ${inv.discountDescription}`}
                    </th>
                    <td className="num">{inv.discount === 0n ? money(0n) : `−${money(inv.discount)}`}</td>
                  </tr>
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
            </article>
          )
        }}
      </Show>
    </>
  )
}
