/** The invoice list: filters (status, month), newest first, a page at a time. */
import type { Invoice } from "@securebase/core"
import { useState } from "react"
import { useApi } from "../api/useApi.ts"
import { Badge } from "../components/Badge.tsx"
import { Pager } from "../components/Pager.tsx"
import { Empty, Show } from "../components/States.tsx"
import { TableWrap } from "../components/TableWrap.tsx"
import { formatDate, formatPeriodUtc } from "../format/Dates.ts"
import { formatMoney } from "../format/Money.ts"
import { Link } from "../Router.tsx"

const statuses: ReadonlyArray<Invoice.InvoiceStatus> = ["draft", "issued", "paid", "overdue", "cancelled"]
const pageSize = 10

/** The invoices page. */
export const Invoices = () => {
  const [status, setStatus] = useState<Invoice.InvoiceStatus | "">("")
  const [period, setPeriod] = useState("")
  // The cursors of the pages before this one (the first page has none).
  const [cursors, setCursors] = useState<ReadonlyArray<string>>([])
  const cursor = cursors.at(-1)
  const page = useApi(
    (client) =>
      client.invoices.list({
        query: {
          limit: pageSize,
          ...(status === "" ? {} : { status }),
          ...(period === "" ? {} : { period: period as Invoice.Invoice["period"] }),
          ...(cursor === undefined ? {} : { cursor })
        }
      }),
    [status, period, cursor]
  )
  const filtered = status !== "" || period !== ""

  return (
    <>
      <h1 tabIndex={-1}>Invoices</h1>
      <form className="filters" aria-label="Filter invoices" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="invoice-status">Status</label>
          <select
            id="invoice-status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Invoice.InvoiceStatus | "")
              setCursors([])
            }}
          >
            <option value="">All statuses</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="invoice-period">Month (UTC)</label>
          <input
            id="invoice-period"
            type="month"
            value={period}
            onChange={(e) => {
              setPeriod(e.target.value)
              setCursors([])
            }}
          />
        </div>
        {filtered ? (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setStatus("")
              setPeriod("")
              setCursors([])
            }}
          >
            Clear filters
          </button>
        ) : null}
      </form>
      <Show loaded={page} what="invoices">
        {(data) =>
          data.data.length === 0 ? (
            <Empty>
              {filtered
                ? "No invoices match these filters."
                : "No invoices yet. Your first one is issued after your first month."}
            </Empty>
          ) : (
            <>
              <TableWrap label="Invoice list">
                <table>
                  <caption className="visually-hidden">Invoices, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Invoice</th>
                      <th scope="col">Period</th>
                      <th scope="col">Status</th>
                      <th scope="col" className="num">
                        Total
                      </th>
                      <th scope="col">Issued</th>
                      <th scope="col">Due</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.data.map((invoice) => (
                      <tr key={invoice.id}>
                        <th scope="row">
                          <Link href={`/portal/invoices/${invoice.id}`}>{invoice.number ?? "Draft"}</Link>
                        </th>
                        <td>{formatPeriodUtc(invoice.period)}</td>
                        <td>
                          <Badge value={invoice.status} />
                        </td>
                        <td className="num">{formatMoney(invoice.total, invoice.currency)}</td>
                        <td>{invoice.issuedAt === null ? "—" : formatDate(invoice.issuedAt)}</td>
                        <td>{invoice.dueAt === null ? "—" : formatDate(invoice.dueAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <Pager
                label="Invoice pages"
                previous="Previous page"
                next="Next page"
                cursors={cursors}
                setCursors={setCursors}
                nextCursor={data.nextCursor}
              />
            </>
          )
        }
      </Show>
    </>
  )
}
