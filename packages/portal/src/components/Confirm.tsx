/** A confirmation in a native modal `<dialog>`: focus moves into it, Escape cancels, focus returns after. */
import { type ReactNode, useEffect, useRef } from "react"

/** Asks before an action that cannot be undone. */
export const Confirm = ({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  busy = false
}: {
  readonly title: string
  readonly children: ReactNode
  readonly confirmLabel: string
  readonly onConfirm: () => void
  readonly onCancel: () => void
  readonly busy?: boolean
}) => {
  const dialog = useRef<HTMLDialogElement>(null)
  const cancel = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const d = dialog.current
    const opener = document.activeElement as HTMLElement | null
    if (d !== null && !d.open) d.showModal()
    // The safe choice has the focus: Enter does not destroy anything.
    cancel.current?.focus()
    return () => opener?.focus()
  }, [])
  return (
    <dialog
      ref={dialog}
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault()
        onCancel()
      }}
    >
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
          {busy ? "Working…" : confirmLabel}
        </button>
        <button ref={cancel} type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </dialog>
  )
}
