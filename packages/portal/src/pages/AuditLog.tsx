/**
 * The audit log: the customer's own trail, newest first, a page at a time (keyset cursors), above
 * the chain's verification against its latest signed checkpoint. A broken chain is an alert, not a
 * footnote: it means a stored event was edited, removed or re-hashed.
 */
import type { AuditEvent } from "@securebase/core"
import { useState } from "react"
import type { Client, Success } from "../api/Client.ts"
import { useApi } from "../api/useApi.ts"
import { Badge } from "../components/Badge.tsx"
import { Pager } from "../components/Pager.tsx"
import { Empty, Show } from "../components/States.tsx"
import { TableWrap } from "../components/TableWrap.tsx"
import { formatDateTime } from "../format/Dates.ts"

const pageSize = 25

type Status = Success<Client["audit"]["checkpoint"]>

/** What each way a chain can break means, for a person. */
const reasons: Record<AuditEvent.BrokenLinkReason | string, string> = {
  "hash-mismatch": "the event's content no longer matches its hash: it was edited",
  "prev-hash-mismatch":
    "the event does not follow the one before it: an earlier event was removed or replaced",
  "sequence-gap": "positions skip or repeat: an event was removed or inserted",
  truncated: "the chain ends before its recorded head: the latest events were removed"
}

const explainReason = (reason: string) =>
  reasons[reason] ?? "the signed checkpoint no longer matches the chain: events were rewritten and re-hashed"

/** The chain's verdict, the checkpoint it rests on and the keys that verify it. */
const Verification = ({ status }: { readonly status: Status }) => {
  const { verification: v, checkpoint } = status
  return (
    <section aria-labelledby="chain" className="card">
      <h2 id="chain">
        Chain verification: <Badge value={v.status} />
      </h2>
      {v.status === "intact" ? (
        <p role="status">
          All {v.events} events verify: each one's hash covers its content and the event before it.
          {checkpoint === null
            ? " No checkpoint has been signed yet."
            : ` The latest signed checkpoint vouches for events 1 to ${checkpoint.seq}${
                (v.unanchored ?? 0) > 0
                  ? `; ${v.unanchored} newer events will be covered by the next one`
                  : ""
              }.`}
        </p>
      ) : (
        <div className="state error" role="alert">
          <p>
            <strong>The chain is broken at event {v.failure?.seq ?? "?"}.</strong>{" "}
            {v.failure === null ? "" : `Its ${explainReason(v.failure.reason)}.`} Contact support and keep
            your own copy of the last checkpoint.
          </p>
        </div>
      )}
      {checkpoint === null ? null : (
        <dl className="facts">
          <div>
            <dt>Checkpoint signed</dt>
            <dd>{formatDateTime(checkpoint.signedAt)}</dd>
          </div>
          <div>
            <dt>Covers events</dt>
            <dd>1–{checkpoint.seq}</dd>
          </div>
          <div>
            <dt>Signing key</dt>
            <dd>
              <code>{checkpoint.keyId}</code> ({checkpoint.algorithm})
            </dd>
          </div>
        </dl>
      )}
    </section>
  )
}

const details = (event: AuditEvent.AuditEvent) =>
  Object.entries(event.payload)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ")

/** The audit log page. */
export const AuditLog = () => {
  const status = useApi((client) => client.audit.checkpoint(), [])
  // The cursors of the pages before this one (the first page has none).
  const [cursors, setCursors] = useState<ReadonlyArray<string>>([])
  const cursor = cursors.at(-1)
  const page = useApi(
    (client) =>
      client.audit.events({ query: { limit: pageSize, ...(cursor === undefined ? {} : { cursor }) } }),
    [cursor]
  )
  return (
    <>
      <h1 tabIndex={-1}>Audit log</h1>
      <p className="muted">
        Everything done on your account, newest first. Each event is chained to the one before it by a hash,
        and the chain's head is signed regularly, so no event can be changed or removed unseen.
      </p>
      <Show loaded={status} what="the chain's verification">
        {(s) => <Verification status={s} />}
      </Show>
      <section aria-labelledby="events">
        <h2 id="events">Events</h2>
        <Show loaded={page} what="audit events">
          {(data) =>
            data.data.length === 0 ? (
              <Empty>No events yet. Signing in, creating keys and issuing invoices are recorded here.</Empty>
            ) : (
              <>
                <TableWrap label="Audit events">
                  <table>
                    <caption className="visually-hidden">Audit events, newest first</caption>
                    <thead>
                      <tr>
                        <th scope="col" className="num">
                          #
                        </th>
                        <th scope="col">When</th>
                        <th scope="col">Action</th>
                        <th scope="col">Subject</th>
                        <th scope="col">By</th>
                        <th scope="col">Details</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.data.map((event) => (
                        <tr key={event.id}>
                          <td className="num">{event.seq}</td>
                          <td>{formatDateTime(event.occurredAt)}</td>
                          <th scope="row">
                            <code>{event.action}</code>
                          </th>
                          <td>
                            {event.subjectType === null
                              ? "—"
                              : `${event.subjectType}${event.subjectId === null ? "" : ` ${event.subjectId}`}`}
                          </td>
                          <td>
                            <code>{event.actor}</code>
                          </td>
                          <td className="details">{details(event) || "—"}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
                <Pager
                  label="Audit log pages"
                  previous="Newer events"
                  next="Older events"
                  cursors={cursors}
                  setCursors={setCursors}
                  nextCursor={data.nextCursor}
                />
              </>
            )
          }
        </Show>
      </section>
    </>
  )
}
