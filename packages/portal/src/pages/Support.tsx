/** Support: open a ticket (with the plan's first-response target), the list, and one ticket with its conversation. */
import type { SupportTicket } from "@securebase/core"
import { type FormEvent, useState } from "react"
import { ApiFailure, call } from "../api/Client.ts"
import { useApi } from "../api/useApi.ts"
import { Badge } from "../components/Badge.tsx"
import { Empty, Show } from "../components/States.tsx"
import { TableWrap } from "../components/TableWrap.tsx"
import { formatDateTime } from "../format/Dates.ts"
import { Link, navigate } from "../Router.tsx"

const priorities: ReadonlyArray<SupportTicket.TicketPriority> = ["low", "normal", "high", "critical"]

/** The support page: a new ticket and the list. */
export const Support = () => {
  const tickets = useApi((client) => client.support.list({ query: {} }), [])
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const subject = String(data.get("subject") ?? "").trim()
    const description = String(data.get("description") ?? "").trim()
    const priority = String(data.get("priority") ?? "normal") as SupportTicket.TicketPriority
    if (subject.length < 3) return setError("Write a subject of at least 3 characters.")
    if (description === "") return setError("Describe what you need.")
    setBusy(true)
    setError(undefined)
    call((client) => client.support.create({ payload: { subject, description, priority } })).then(
      (ticket) => navigate(`/portal/support/${ticket.id}?created=1`),
      (failure: unknown) => {
        setBusy(false)
        setError(failure instanceof ApiFailure ? failure.message : String(failure))
      }
    )
  }
  return (
    <>
      <h1 tabIndex={-1}>Support</h1>
      <section aria-labelledby="tickets">
        <h2 id="tickets">Your tickets</h2>
        <Show loaded={tickets} what="tickets">
          {(list) =>
            list.length === 0 ? (
              <Empty>No tickets. Open one below when you need us.</Empty>
            ) : (
              <TableWrap label="Ticket list">
                <table>
                  <caption className="visually-hidden">Support tickets, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Subject</th>
                      <th scope="col">Priority</th>
                      <th scope="col">Status</th>
                      <th scope="col">Opened</th>
                      <th scope="col">First response due</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((t) => (
                      <tr key={t.id}>
                        <th scope="row">
                          <Link href={`/portal/support/${t.id}`}>{t.subject}</Link>
                        </th>
                        <td>
                          <Badge value={t.priority} />
                        </td>
                        <td>
                          <Badge value={t.status} />
                        </td>
                        <td>{formatDateTime(t.createdAt)}</td>
                        <td>{formatDateTime(t.firstResponseDueAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )
          }
        </Show>
      </section>
      <section aria-labelledby="new-ticket">
        <h2 id="new-ticket">Open a ticket</h2>
        <form className="card form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="ticket-subject">Subject</label>
            <input id="ticket-subject" name="subject" maxLength={200} />
          </div>
          <div className="field">
            <label htmlFor="ticket-description">Description</label>
            <textarea id="ticket-description" name="description" rows={5} maxLength={20000} />
          </div>
          <div className="field">
            <label htmlFor="ticket-priority">Priority</label>
            <select id="ticket-priority" name="priority" defaultValue="normal">
              {priorities.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          {error === undefined ? null : (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create ticket"}
          </button>
        </form>
      </section>
    </>
  )
}

const authorLabel = (reply: SupportTicket.Reply) =>
  reply.authorKind === "operator" ? "SecureBase support" : "You"

/** The conversation of a ticket and the reply form (none once the ticket is closed). */
const Conversation = ({ ticket }: { readonly ticket: SupportTicket.Ticket }) => {
  const replies = useApi((client) => client.support.replies({ params: { id: ticket.id } }), [ticket.id])
  const [error, setError] = useState<string | undefined>(undefined)
  const [sent, setSent] = useState(false)
  const [busy, setBusy] = useState(false)
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    const body = String(new FormData(form).get("body") ?? "").trim()
    if (body === "") return setError("Write your reply first.")
    setBusy(true)
    setError(undefined)
    setSent(false)
    call((client) => client.support.reply({ params: { id: ticket.id }, payload: { body } })).then(
      () => {
        setBusy(false)
        setSent(true)
        form.reset()
        replies.reload()
      },
      (failure: unknown) => {
        setBusy(false)
        setError(failure instanceof ApiFailure ? failure.message : String(failure))
      }
    )
  }
  return (
    <section aria-labelledby="conversation">
      <h2 id="conversation">Conversation</h2>
      <Show loaded={replies} what="the replies">
        {(list) =>
          list.length === 0 ? (
            <Empty>No replies yet.</Empty>
          ) : (
            <ol className="replies">
              {list.map((r) => (
                <li key={r.id} className={`reply reply-${r.authorKind}`}>
                  <p className="muted">
                    <strong>{authorLabel(r)}</strong> · {formatDateTime(r.createdAt)}
                  </p>
                  <p className="pre">{r.body}</p>
                </li>
              ))}
            </ol>
          )
        }
      </Show>
      {ticket.status === "closed" ? (
        <p className="muted">This ticket is closed. Open a new one if you need more help.</p>
      ) : (
        <form className="card form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="reply-body">Your reply</label>
            <textarea id="reply-body" name="body" rows={4} maxLength={20000} />
          </div>
          {error === undefined ? null : (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          {sent ? (
            <p className="notice" role="status">
              Reply sent.
            </p>
          ) : null}
          <button type="submit" disabled={busy}>
            {busy ? "Sending…" : "Send reply"}
          </button>
        </form>
      )}
    </section>
  )
}

/** One ticket. */
export const SupportTicketPage = ({ id, created }: { readonly id: string; readonly created: boolean }) => {
  const ticket = useApi(
    (client) => client.support.get({ params: { id: id as SupportTicket.TicketId } }),
    [id]
  )
  return (
    <>
      <p className="back">
        <Link href="/portal/support">← All tickets</Link>
      </p>
      <Show loaded={ticket} what="the ticket">
        {(t) => (
          <article aria-labelledby="ticket-title">
            {created ? (
              <p className="notice" role="status">
                Ticket created. We will answer by {formatDateTime(t.firstResponseDueAt)}.
              </p>
            ) : null}
            <h1 id="ticket-title" tabIndex={-1}>
              {t.subject}
            </h1>
            <p className="muted">
              <Badge value={t.priority} /> <Badge value={t.status} /> · opened {formatDateTime(t.createdAt)} ·
              first response due {formatDateTime(t.firstResponseDueAt)}
            </p>
            <h2>Description</h2>
            <p className="pre">{t.description}</p>
            <Conversation ticket={t} />
          </article>
        )}
      </Show>
    </>
  )
}
