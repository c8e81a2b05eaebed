/**
 * The scrolling box around a wide table: on a phone it scrolls sideways inside the page, never the
 * page itself. It can take the focus, so a keyboard user can scroll it too, and it names its table.
 */
import type { ReactNode } from "react"

/** A table's scrolling box, labelled `label`. */
export const TableWrap = ({ label, children }: { readonly label: string; readonly children: ReactNode }) => (
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1)
  <section className="table-wrap" tabIndex={0} aria-label={label}>
    {children}
  </section>
)
