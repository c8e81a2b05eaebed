/**
 * The month-end forecast: a simple projection from the month so far, explained to the user as it
 * is computed. Metrics that add up over time (`sum`, `count`) are projected linearly: the quantity
 * so far divided by the elapsed share of the month. Metrics that record a level (`max`, `latest`,
 * `unique_count`) are projected to stay where they are. Quantities, not money: the bill is priced
 * by the server, which is the only one that knows the deployment's price book.
 */

/** How a metric aggregates (as the API reports it). */
export type Aggregation = "sum" | "count" | "max" | "latest" | "unique_count"

/** The share of the UTC month `period` ("2026-11") elapsed at `asOf`, in (0, 1]. */
export const elapsedShare = (period: string, asOf: Date): number => {
  const [year, month] = period.split("-").map(Number)
  const start = Date.UTC(year!, month! - 1, 1)
  const end = Date.UTC(year!, month!, 1)
  const share = (asOf.getTime() - start) / (end - start)
  return Math.min(1, Math.max(share, 1 / (end - start)))
}

/** The days of the UTC month `period` and how many of them have elapsed at `asOf` (one decimal). */
export const days = (period: string, asOf: Date): { readonly elapsed: number; readonly total: number } => {
  const [year, month] = period.split("-").map(Number)
  const total = Math.round((Date.UTC(year!, month!, 1) - Date.UTC(year!, month! - 1, 1)) / 86_400_000)
  return { elapsed: Math.round(elapsedShare(period, asOf) * total * 10) / 10, total }
}

/** Whether a metric is projected linearly (it accumulates) or held (it is a level). */
export const accumulates = (aggregation: Aggregation): boolean =>
  aggregation === "sum" || aggregation === "count"

/** The projected month-end quantity of a metric at `quantity` so far. */
export const project = (aggregation: Aggregation, quantity: number, share: number): number =>
  accumulates(aggregation) ? quantity / share : quantity

/** The months (`"YYYY-MM"`) of `months` from the month of `since` on: none before the customer existed. */
export const monthsSince = <M extends { readonly period: string }>(
  months: ReadonlyArray<M>,
  since: Date | null
): ReadonlyArray<M> => {
  if (since === null) return months
  const first = `${since.getUTCFullYear()}-${String(since.getUTCMonth() + 1).padStart(2, "0")}`
  return months.filter((m) => m.period >= first)
}
