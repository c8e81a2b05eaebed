/**
 * API keys: the list (never secrets), a new key with chosen scopes and expiry whose secret is shown
 * once with a copy button, rotation (a new key with the same scopes first, then the old one revoked
 * after confirmation) and revocation (after confirmation).
 */
import { ApiKey } from "@securebase/core"
import { type FormEvent, useState } from "react"
import { ApiFailure, call } from "../api/Client.ts"
import { useApi } from "../api/useApi.ts"
import { Badge } from "../components/Badge.tsx"
import { Confirm } from "../components/Confirm.tsx"
import { Empty, Show } from "../components/States.tsx"
import { TableWrap } from "../components/TableWrap.tsx"
import { formatDate, formatDateTime } from "../format/Dates.ts"

type Key = ApiKey.ApiKey
type Scope = ApiKey.Scope

const expiries = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "", label: "Never" }
]

const statusOf = (key: Key): "revoked" | "expired" | "active" =>
  key.revokedAt !== undefined
    ? "revoked"
    : key.expiresAt !== undefined && key.expiresAt.epochMilliseconds <= Date.now()
      ? "expired"
      : "active"

const daysBetween = (from: Key["createdAt"], to: Key["createdAt"]) =>
  Math.max(1, Math.min(730, Math.round((to.epochMilliseconds - from.epochMilliseconds) / 86_400_000)))

interface Created {
  readonly key: Key
  readonly secret: string
  /** When rotating: the key this one replaces, to revoke once the user confirms. */
  readonly replaces?: Key
}

/** The API keys page. `sessionKeyId` is the key this session was opened with. */
export const ApiKeys = ({
  scopes: mine,
  sessionKeyId
}: {
  readonly scopes: ReadonlyArray<Scope>
  readonly sessionKeyId: string
}) => {
  const keys = useApi((client) => client.apiKeys.list(), [])
  const [created, setCreated] = useState<Created | undefined>(undefined)
  const [revoking, setRevoking] = useState<Key | undefined>(undefined)
  const [rotating, setRotating] = useState<Key | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | undefined>(undefined)

  const create = (
    input: { name: string; scopes: ReadonlyArray<Scope>; expiresInDays?: number },
    replaces?: Key
  ) =>
    call((client) =>
      client.apiKeys.create({
        payload: {
          name: input.name,
          scopes: input.scopes as ApiKey.ApiKey["scopes"],
          ...(input.expiresInDays === undefined ? {} : { expiresInDays: input.expiresInDays })
        }
      })
    ).then((result) => {
      setCreated({
        key: result.apiKey,
        secret: result.secret,
        ...(replaces === undefined ? {} : { replaces })
      })
      setMessage(undefined)
      keys.reload()
    })

  const revoke = (key: Key) => {
    setBusy(true)
    call((client) => client.apiKeys.revoke({ params: { id: key.id } })).then(
      () => {
        setBusy(false)
        setRevoking(undefined)
        if (created?.replaces?.id === key.id) setCreated(undefined)
        setMessage({ kind: "ok", text: `Key “${key.name}” is revoked: it is refused from now on.` })
        keys.reload()
      },
      (failure: unknown) => {
        setBusy(false)
        setRevoking(undefined)
        setMessage({ kind: "error", text: failure instanceof ApiFailure ? failure.message : String(failure) })
      }
    )
  }

  const rotate = (key: Key) => {
    setBusy(true)
    create(
      {
        name: key.name.length > 90 ? key.name.slice(0, 90) : `${key.name} (rotated)`.slice(0, 100),
        scopes: key.scopes.filter((s) => mine.includes(s)),
        ...(key.expiresAt === undefined ? {} : { expiresInDays: daysBetween(key.createdAt, key.expiresAt) })
      },
      key
    ).then(
      () => {
        setBusy(false)
        setRotating(undefined)
      },
      (failure: unknown) => {
        setBusy(false)
        setRotating(undefined)
        setMessage({ kind: "error", text: failure instanceof ApiFailure ? failure.message : String(failure) })
      }
    )
  }

  return (
    <>
      <h1 tabIndex={-1}>API keys</h1>
      {message === undefined ? null : (
        <p
          className={message.kind === "ok" ? "notice" : "field-error"}
          role={message.kind === "ok" ? "status" : "alert"}
        >
          {message.text}
        </p>
      )}
      {created === undefined ? null : (
        <NewSecret
          created={created}
          onDone={() => setCreated(undefined)}
          onRevokeOld={(k) => setRevoking(k)}
        />
      )}
      <Show loaded={keys} what="API keys">
        {(list) =>
          list.length === 0 ? (
            <Empty>No keys yet. Create one below.</Empty>
          ) : (
            <TableWrap label="API keys">
              <table>
                <caption className="visually-hidden">API keys, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((key) => {
                    const status = statusOf(key)
                    return (
                      <tr key={key.id}>
                        <th scope="row">
                          {key.name}
                          {key.id === sessionKeyId ? <span className="muted"> (this session)</span> : null}
                        </th>
                        <td>
                          <code>{key.prefix}_…</code>
                        </td>
                        <td className="scopes">{key.scopes.join(", ")}</td>
                        <td>{formatDate(key.createdAt)}</td>
                        <td>{key.expiresAt === undefined ? "Never" : formatDate(key.expiresAt)}</td>
                        <td>{key.lastUsedAt === undefined ? "Never" : formatDateTime(key.lastUsedAt)}</td>
                        <td>
                          <Badge value={status} />
                        </td>
                        <td className="actions">
                          {status === "active" ? (
                            <>
                              <button
                                type="button"
                                className="secondary"
                                aria-label={`Rotate ${key.name}`}
                                onClick={() => setRotating(key)}
                              >
                                Rotate
                              </button>
                              <button
                                type="button"
                                className="danger"
                                aria-label={`Revoke ${key.name}`}
                                onClick={() => setRevoking(key)}
                              >
                                Revoke
                              </button>
                            </>
                          ) : null}
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Show>
      <CreateForm scopes={mine} onCreate={(input) => create(input)} />
      {revoking === undefined ? null : (
        <Confirm
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          busy={busy}
          onConfirm={() => revoke(revoking)}
          onCancel={() => setRevoking(undefined)}
        >
          <p>
            Anything using <code>{revoking.prefix}_…</code> is refused at once, and its sessions end. This
            cannot be undone.
          </p>
          {revoking.id === sessionKeyId ? (
            <p className="field-error">You are signed in with this key: revoking it signs you out.</p>
          ) : null}
        </Confirm>
      )}
      {rotating === undefined ? null : (
        <Confirm
          title={`Rotate “${rotating.name}”?`}
          confirmLabel="Create the new key"
          busy={busy}
          onConfirm={() => rotate(rotating)}
          onCancel={() => setRotating(undefined)}
        >
          <p>
            A new key with the same scopes and lifetime is created now and shown once. The old key keeps
            working until you revoke it, after you have put the new one in place.
          </p>
        </Confirm>
      )}
    </>
  )
}

const NewSecret = ({
  created,
  onDone,
  onRevokeOld
}: {
  readonly created: Created
  readonly onDone: () => void
  readonly onRevokeOld: (key: Key) => void
}) => {
  const [copied, setCopied] = useState<string | undefined>(undefined)
  const copy = () => {
    navigator.clipboard.writeText(created.secret).then(
      () => setCopied("Copied to the clipboard."),
      () => {
        const field = document.getElementById("new-key-secret") as HTMLInputElement | null
        field?.select()
        setCopied("Copying was not allowed: the key is selected, press Ctrl+C (⌘C).")
      }
    )
  }
  return (
    <section className="card secret" aria-labelledby="new-key-title">
      <h2 id="new-key-title">Your new key “{created.key.name}”</h2>
      <p>
        <strong>Copy it now: it is shown only once</strong> and cannot be recovered.
      </p>
      <label htmlFor="new-key-secret">New API key</label>
      <div className="copy-row">
        <input
          id="new-key-secret"
          readOnly
          value={created.secret}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p role="status" className="muted">
        {copied ?? ""}
      </p>
      <div className="actions">
        {created.replaces === undefined ? null : (
          <button type="button" className="danger" onClick={() => onRevokeOld(created.replaces!)}>
            Revoke the old key “{created.replaces.name}”
          </button>
        )}
        <button type="button" className="secondary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  )
}

const CreateForm = ({
  scopes,
  onCreate
}: {
  readonly scopes: ReadonlyArray<Scope>
  readonly onCreate: (input: {
    name: string
    scopes: ReadonlyArray<Scope>
    expiresInDays?: number
  }) => Promise<void>
}) => {
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    const data = new FormData(form)
    const name = String(data.get("name") ?? "").trim()
    const chosen = data.getAll("scopes").map(String) as Array<Scope>
    const expiry = String(data.get("expiry") ?? "")
    if (name === "") return setError("Give the key a name.")
    if (chosen.length === 0) return setError("Choose at least one scope.")
    setBusy(true)
    setError(undefined)
    onCreate({ name, scopes: chosen, ...(expiry === "" ? {} : { expiresInDays: Number(expiry) }) }).then(
      () => {
        setBusy(false)
        form.reset()
      },
      (failure: unknown) => {
        setBusy(false)
        setError(failure instanceof ApiFailure ? failure.message : String(failure))
      }
    )
  }
  return (
    <section aria-labelledby="create-key">
      <h2 id="create-key">Create a key</h2>
      <form className="card form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input id="key-name" name="name" maxLength={100} placeholder="CI deploys" />
        </div>
        <fieldset>
          <legend>Scopes</legend>
          <div className="checks">
            {ApiKey.allScopes
              .filter((s) => scopes.includes(s))
              .map((scope) => (
                <label key={scope} className="check">
                  <input
                    type="checkbox"
                    name="scopes"
                    value={scope}
                    defaultChecked={scope === "invoices:read"}
                  />
                  <code>{scope}</code>
                </label>
              ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="key-expiry">Expires after</label>
          <select id="key-expiry" name="expiry" defaultValue="90">
            {expiries.map((e) => (
              <option key={e.label} value={e.value}>
                {e.label}
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
          {busy ? "Creating…" : "Create key"}
        </button>
      </form>
    </section>
  )
}
