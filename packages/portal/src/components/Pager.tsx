/**
 * The pager of a cursor-paged list: back to the previous page, the page number, on to the next.
 * `cursors` holds the cursor of each page after the first that was opened, so "back" pops one.
 */
import type { Dispatch, SetStateAction } from "react"

export const Pager = ({
  label,
  previous,
  next,
  cursors,
  setCursors,
  nextCursor
}: {
  readonly label: string
  readonly previous: string
  readonly next: string
  readonly cursors: ReadonlyArray<string>
  readonly setCursors: Dispatch<SetStateAction<ReadonlyArray<string>>>
  readonly nextCursor: string | null
}) => (
  <nav className="pager" aria-label={label}>
    <button
      type="button"
      className="secondary"
      disabled={cursors.length === 0}
      onClick={() => setCursors((c) => c.slice(0, -1))}
    >
      {previous}
    </button>
    <span>Page {cursors.length + 1}</span>
    <button
      type="button"
      className="secondary"
      disabled={nextCursor === null}
      onClick={() => nextCursor !== null && setCursors((c) => [...c, nextCursor])}
    >
      {next}
    </button>
  </nav>
)
