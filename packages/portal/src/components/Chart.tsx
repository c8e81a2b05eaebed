/**
 * A chart drawn by uPlot (about 50 KB, canvas), sized to its container. A canvas says nothing to a
 * screen reader: the figure has a text description, and each page gives the figures as a table.
 */
import { useEffect, useRef } from "react"
import uPlot from "uplot"
import "uplot/dist/uPlot.min.css"

/** One series over the chart's categories. */
export interface Series {
  readonly label: string
  readonly values: ReadonlyArray<number | null>
  readonly kind: "bars" | "line"
  readonly color: string
  /** Which axis: the left (`y`) or the right (`y2`). */
  readonly scale?: "y" | "y2"
  readonly dash?: ReadonlyArray<number>
}

/** What a chart shows. */
export interface ChartProps {
  /** The categories along the x axis (months, say). */
  readonly categories: ReadonlyArray<string>
  readonly series: ReadonlyArray<Series>
  /** Formats a left-axis value (and the right one, unless `formatY2`). */
  readonly formatY?: (value: number) => string
  readonly formatY2?: (value: number) => string
  /** Read out instead of the picture. */
  readonly description: string
  readonly height?: number
}

const bars = uPlot.paths.bars!({ size: [0.6, 48], align: 0 })

/** A uPlot chart. */
export const Chart = ({ categories, series, formatY, formatY2, description, height = 220 }: ChartProps) => {
  const container = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const element = container.current
    if (element === null) return
    const usesY2 = series.some((s) => s.scale === "y2")
    const x = categories.map((_, i) => i)
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: [-0.5, categories.length - 0.5] },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        y2: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }
      },
      axes: [
        {
          values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (categories[t] ?? "") : "")),
          splits: () => x,
          grid: { show: false }
        },
        { scale: "y", size: 72, values: (_u, ticks) => ticks.map((t) => (formatY ?? String)(t)) },
        ...(usesY2
          ? [
              {
                scale: "y2",
                side: 1 as const,
                size: 84,
                grid: { show: false },
                values: (_u: uPlot, ticks: Array<number>) =>
                  ticks.map((t) => (formatY2 ?? formatY ?? String)(t))
              }
            ]
          : [])
      ],
      series: [
        { label: "Month", value: (_u, v) => (v === null ? "" : (categories[v] ?? "")) },
        ...series.map((s) => ({
          label: s.label,
          scale: s.scale ?? "y",
          stroke: s.color,
          width: s.kind === "bars" ? 0 : 2,
          ...(s.kind === "bars" ? { fill: `${s.color}cc`, paths: bars } : {}),
          points: { show: s.kind === "line" },
          ...(s.dash === undefined ? {} : { dash: [...s.dash] }),
          value: (_u: uPlot, v: number | null) =>
            v === null ? "–" : ((s.scale === "y2" ? (formatY2 ?? formatY) : formatY) ?? String)(v)
        }))
      ]
    }
    const data = [x, ...series.map((s) => [...s.values])] as uPlot.AlignedData
    const plot = new uPlot(options, data, element)
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, element.clientWidth), height })
    )
    resize.observe(element)
    return () => {
      resize.disconnect()
      plot.destroy()
    }
  }, [categories, series, formatY, formatY2, height])
  return (
    <figure className="chart">
      <div ref={container} role="img" aria-label={description} />
    </figure>
  )
}
