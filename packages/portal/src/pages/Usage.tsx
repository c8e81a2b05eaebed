/**
 * Usage: this month against the plan's allowances (a chart per metric: the months so far, this
 * month, its forecast and the allowance), the bill so far, a month-end forecast that says how it
 * is made, and the last 12 months of usage and billed amounts, from the month the customer was
 * created (no empty months before it).
 */
import { type BigDecimal, DateTime, Effect } from "effect"
import { useMemo, useState } from "react"
import type { Client, Success } from "../api/Client.ts"
import { useApi } from "../api/useApi.ts"
import { Chart, type Series } from "../components/Chart.tsx"
import { Show } from "../components/States.tsx"
import { TableWrap } from "../components/TableWrap.tsx"
import { formatDateTime, formatMonthShort, formatPeriodUtc } from "../format/Dates.ts"
import { chartAmount, decimalString, formatMoney } from "../format/Money.ts"
import { accumulates, days, elapsedShare, monthsSince, project } from "../usage/Forecast.ts"

const colors = { usage: "#2563eb", forecast: "#93c5fd", allowance: "#b45309", billed: "#047857" }

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 })
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 })

/** The usage page; `createdAtMillis` is when the customer was created. */
export const Usage = ({ createdAtMillis }: { readonly createdAtMillis: number | null }) => {
  const loaded = useApi(
    (client) =>
      Effect.all(
        {
          current: client.metrics.current(),
          history: client.metrics.history(),
          invoices: client.invoices.list({ query: { limit: 100 } })
        },
        { concurrency: "unbounded" }
      ),
    []
  )
  return (
    <>
      <h1 tabIndex={-1}>Usage</h1>
      <Show loaded={loaded} what="usage">
        {(data) => <UsageView {...data} createdAtMillis={createdAtMillis} />}
      </Show>
    </>
  )
}

type Current = Success<Client["metrics"]["current"]>
type History = Success<Client["metrics"]["history"]>
type InvoicePage = Success<Client["invoices"]["list"]>
type Month = History["months"][number]
type Figure = Current["metrics"][number]

const UsageView = ({
  current,
  history,
  invoices,
  createdAtMillis
}: {
  readonly current: Current
  readonly history: History
  readonly invoices: InvoicePage
  readonly createdAtMillis: number | null
}) => {
  const asOf = new Date(current.asOf)
  const share = elapsedShare(current.period, asOf)
  const { elapsed, total } = days(current.period, asOf)
  const months = useMemo(
    () => monthsSince(history.months, createdAtMillis === null ? null : new Date(createdAtMillis)),
    [history, createdAtMillis]
  )
  const billed = useMemo(
    () =>
      new Map<string, { total: bigint; currency: string }>(
        invoices.data.map((i) => [i.period, { total: i.total, currency: i.currency }])
      ),
    [invoices]
  )
  const metrics = current.metrics
  const [selected, setSelected] = useState<string>(metrics[0]?.metric ?? "")
  const currency: string = current.estimate.currency

  return (
    <>
      <section aria-labelledby="this-month">
        <h2 id="this-month">This month so far: {formatPeriodUtc(current.period)}</h2>
        <p className="muted">
          As of {formatDateTime(DateTime.makeUnsafe(asOf))}, {number.format(elapsed)} of {total} days.
        </p>
        <dl className="facts estimate">
          <div>
            <dt>Usage so far would bill</dt>
            <dd className="total">{formatMoney(current.estimate.total, currency)}</dd>
          </div>
          <div>
            <dt>Subtotal</dt>
            <dd>{formatMoney(current.estimate.subtotal, currency)}</dd>
          </div>
          <div>
            <dt>Discount</dt>
            <dd>{formatMoney(current.estimate.discount, currency)}</dd>
          </div>
          <div>
            <dt>Tax</dt>
            <dd>{formatMoney(current.estimate.tax, currency)}</dd>
          </div>
        </dl>
        <details className="explain">
          <summary>How the month-end forecast is made</summary>
          <p>
            Metrics that add up over the month (sums and counts, such as API calls) are projected in a
            straight line: the usage so far, divided by the {number.format(elapsed)} days elapsed, times the
            month's {total} days. Metrics that measure a level (the most storage, the latest archive size, the
            number of distinct accounts) are projected to stay at their current value. It is an estimate of
            quantities; the invoice is priced from what is actually used.
          </p>
        </details>
        <div className="metric-grid">
          {metrics.map((m) => (
            <MetricCard key={m.metric} metric={m} months={months} share={share} period={current.period} />
          ))}
        </div>
      </section>
      <section aria-labelledby="twelve-months">
        <h2 id="twelve-months">The last 12 months</h2>
        {months.length === 0 ? (
          <p className="state empty">
            No complete month yet: your history starts with the first month after you joined.
          </p>
        ) : (
          <HistoryView
            months={months}
            metrics={metrics}
            billed={billed}
            selected={selected}
            onSelect={setSelected}
            currency={currency}
          />
        )}
      </section>
    </>
  )
}

const toNumber = (d: BigDecimal.BigDecimal): number => Number(decimalString(d))

const MetricCard = ({
  metric,
  months,
  share,
  period
}: {
  readonly metric: Figure
  readonly months: ReadonlyArray<Month>
  readonly share: number
  readonly period: string
}) => {
  const quantity = toNumber(metric.quantity)
  const included = metric.included === null ? null : toNumber(metric.included)
  const forecast = project(metric.aggregation, quantity, share)
  const over = included !== null && forecast > included
  const categories = useMemo(
    () => [...months.map((m) => formatMonthShort(m.period)), formatMonthShort(period)],
    [months, period]
  )
  const series = useMemo((): ReadonlyArray<Series> => {
    const past = months.map((m) => {
      const found = m.metrics.find((x) => x.metric === metric.metric)
      return found === undefined ? 0 : toNumber(found.quantity)
    })
    // The forecast is drawn first, so this month's usage so far stands in front of it.
    const out: Array<Series> = [
      {
        label: "Forecast",
        values: [...past.map(() => null), forecast],
        kind: "bars",
        color: colors.forecast
      },
      { label: "Used", values: [...past, quantity], kind: "bars", color: colors.usage }
    ]
    if (included !== null)
      out.push({
        label: "Included",
        values: categories.map(() => included),
        kind: "line",
        color: colors.allowance,
        dash: [6, 4]
      })
    return out
  }, [months, metric.metric, quantity, forecast, included, categories])
  const headingId = `metric-${metric.metric}`
  return (
    <article className="metric card" aria-labelledby={headingId}>
      <h3 id={headingId}>{metric.name}</h3>
      <p className="figure">
        <strong>{number.format(quantity)}</strong> {metric.unit}
        {included === null ? " (not charged on your plan)" : ` of ${number.format(included)} included`}
      </p>
      {included === null || included === 0 ? null : (
        <meter
          min={0}
          max={included}
          low={included * 0.8}
          high={included}
          optimum={0}
          value={Math.min(quantity, included)}
          aria-label={`${metric.name}: ${number.format(quantity)} of ${number.format(included)} ${metric.unit} included`}
        />
      )}
      <p className={over ? "forecast over" : "forecast"}>
        Month-end forecast: {number.format(forecast)} {metric.unit}
        {accumulates(metric.aggregation) ? "" : " (a level: held at its current value)"}
        {over ? `, ${number.format(forecast - included!)} over the allowance` : ""}
      </p>
      <Chart
        categories={categories}
        series={series}
        height={160}
        formatY={(v) => compact.format(v)}
        description={`${metric.name} per month, in ${metric.unit}: ${categories
          .map((c, i) => `${c} ${number.format(series[1]!.values[i] ?? 0)}`)
          .join(", ")}; forecast for this month ${number.format(forecast)}${
          included === null ? "" : `; ${number.format(included)} included`
        }.`}
      />
    </article>
  )
}

const HistoryView = ({
  months,
  metrics,
  billed,
  selected,
  onSelect,
  currency
}: {
  readonly months: ReadonlyArray<Month>
  readonly metrics: ReadonlyArray<Figure>
  readonly billed: ReadonlyMap<string, { total: bigint; currency: string }>
  readonly selected: string
  readonly onSelect: (metric: string) => void
  readonly currency: string
}) => {
  const definition = metrics.find((m) => m.metric === selected) ?? metrics[0]
  const usage = useMemo(
    () =>
      months.map((m) => {
        const found = m.metrics.find((x) => x.metric === definition?.metric)
        return found === undefined ? 0 : toNumber(found.quantity)
      }),
    [months, definition?.metric]
  )
  // Chart geometry only: the exact amounts are in the table below.
  const amounts = useMemo(
    () =>
      months.map((m) => {
        const b = billed.get(m.period)
        return b === undefined ? null : chartAmount(b.total, b.currency)
      }),
    [months, billed]
  )
  const categories = useMemo(() => months.map((m) => formatMonthShort(m.period)), [months])
  const series = useMemo(
    (): ReadonlyArray<Series> => [
      { label: definition?.name ?? "Usage", values: usage, kind: "bars", color: colors.usage },
      { label: "Billed", values: amounts, kind: "line", color: colors.billed, scale: "y2" }
    ],
    [definition?.name, usage, amounts]
  )
  const money = new Intl.NumberFormat(undefined, {
    style: "currency",
    currency,
    notation: "compact",
    maximumFractionDigits: 1
  })
  return (
    <>
      <div className="filters">
        <div className="field">
          <label htmlFor="history-metric">Metric</label>
          <select
            id="history-metric"
            value={definition?.metric ?? ""}
            onChange={(e) => onSelect(e.target.value)}
          >
            {metrics.map((m) => (
              <option key={m.metric} value={m.metric}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Chart
        categories={categories}
        series={series}
        formatY={(v) => compact.format(v)}
        formatY2={(v) => money.format(v)}
        description={`${definition?.name ?? "Usage"} and the billed amount per month, ${categories[0]} to ${categories.at(-1)}. The figures are in the table below.`}
      />
      <TableWrap label="Usage and billed amount per month">
        <table>
          <caption>
            {definition?.name ?? "Usage"} ({definition?.unit}) and billed amount per month (UTC)
          </caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col" className="num">
                {definition?.name ?? "Usage"}
              </th>
              <th scope="col" className="num">
                Billed
              </th>
            </tr>
          </thead>
          <tbody>
            {months.map((m, i) => {
              const b = billed.get(m.period)
              return (
                <tr key={m.period}>
                  <th scope="row">{formatPeriodUtc(m.period)}</th>
                  <td className="num">{number.format(usage[i]!)}</td>
                  <td className="num">{b === undefined ? "not billed" : formatMoney(b.total, b.currency)}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </TableWrap>
    </>
  )
}
