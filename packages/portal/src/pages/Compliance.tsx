/** Compliance: the state of each framework of the plan, and the findings, filterable. */
import type { Compliance as C, Entitlements } from "@securebase/core"
import { useState } from "react"
import { useApi } from "../api/useApi.ts"
import { Badge } from "../components/Badge.tsx"
import { Empty, Show } from "../components/States.tsx"
import { TableWrap } from "../components/TableWrap.tsx"
import { formatDate } from "../format/Dates.ts"

const statuses: ReadonlyArray<C.FindingStatus> = ["open", "resolved", "accepted"]
const severities: ReadonlyArray<C.Severity> = ["critical", "high", "medium", "low"]

/** The compliance page. */
export const Compliance = () => {
  const status = useApi((client) => client.compliance.status(), [])
  const [framework, setFramework] = useState<Entitlements.ComplianceFramework | "">("")
  const [findingStatus, setFindingStatus] = useState<C.FindingStatus | "">("")
  const [severity, setSeverity] = useState<C.Severity | "">("")
  const findings = useApi(
    (client) =>
      client.compliance.findings({
        query: {
          ...(framework === "" ? {} : { framework }),
          ...(findingStatus === "" ? {} : { status: findingStatus }),
          ...(severity === "" ? {} : { severity })
        }
      }),
    [framework, findingStatus, severity]
  )
  return (
    <>
      <h1 tabIndex={-1}>Compliance</h1>
      <Show loaded={status} what="compliance status">
        {(report) => (
          <section aria-labelledby="frameworks">
            <h2 id="frameworks">
              Your {report.plan} plan: <Badge value={report.overall} />
            </h2>
            <TableWrap label="Status per framework">
              <table>
                <caption className="visually-hidden">Status per framework</caption>
                <thead>
                  <tr>
                    <th scope="col">Framework</th>
                    <th scope="col">State</th>
                    <th scope="col" className="num">
                      Open (critical / high / medium / low)
                    </th>
                    <th scope="col" className="num">
                      Resolved
                    </th>
                    <th scope="col" className="num">
                      Accepted
                    </th>
                    <th scope="col">Last finding</th>
                  </tr>
                </thead>
                <tbody>
                  {report.frameworks.map((f) => (
                    <tr key={f.framework}>
                      <th scope="row">{f.framework}</th>
                      <td>
                        <Badge value={f.state} />
                      </td>
                      <td className="num">
                        {f.open.critical} / {f.open.high} / {f.open.medium} / {f.open.low}
                      </td>
                      <td className="num">{f.resolved}</td>
                      <td className="num">{f.accepted}</td>
                      <td>{f.lastFindingAt === null ? "—" : formatDate(f.lastFindingAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <section aria-labelledby="findings">
              <h2 id="findings">Findings</h2>
              <form className="filters" aria-label="Filter findings" onSubmit={(e) => e.preventDefault()}>
                <div className="field">
                  <label htmlFor="finding-framework">Framework</label>
                  <select
                    id="finding-framework"
                    value={framework}
                    onChange={(e) => setFramework(e.target.value as Entitlements.ComplianceFramework | "")}
                  >
                    <option value="">All frameworks</option>
                    {report.frameworks.map((f) => (
                      <option key={f.framework} value={f.framework}>
                        {f.framework}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="finding-status">Status</label>
                  <select
                    id="finding-status"
                    value={findingStatus}
                    onChange={(e) => setFindingStatus(e.target.value as C.FindingStatus | "")}
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
                  <label htmlFor="finding-severity">Severity</label>
                  <select
                    id="finding-severity"
                    value={severity}
                    onChange={(e) => setSeverity(e.target.value as C.Severity | "")}
                  >
                    <option value="">All severities</option>
                    {severities.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                </div>
              </form>
              <Show loaded={findings} what="findings">
                {(list) =>
                  list.length === 0 ? (
                    <Empty>No findings match these filters.</Empty>
                  ) : (
                    <TableWrap label="Findings list">
                      <table>
                        <caption className="visually-hidden">Findings</caption>
                        <thead>
                          <tr>
                            <th scope="col">Finding</th>
                            <th scope="col">Framework</th>
                            <th scope="col">Control</th>
                            <th scope="col">Severity</th>
                            <th scope="col">Status</th>
                            <th scope="col">Resource</th>
                            <th scope="col">Detected</th>
                          </tr>
                        </thead>
                        <tbody>
                          {list.map((f) => (
                            <tr key={f.id}>
                              <th scope="row">{f.title}</th>
                              <td>{f.framework}</td>
                              <td>
                                <code>{f.controlId}</code>
                              </td>
                              <td>
                                <Badge value={f.severity} />
                              </td>
                              <td>
                                <Badge value={f.status} />
                              </td>
                              <td className="resource">
                                {f.resource === null ? "—" : <code>{f.resource}</code>}
                              </td>
                              <td>{formatDate(f.detectedAt)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </TableWrap>
                  )
                }
              </Show>
            </section>
          </section>
        )}
      </Show>
    </>
  )
}
