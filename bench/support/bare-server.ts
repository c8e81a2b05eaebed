/**
 * The ceiling for bench/http.ts: a bare `node:http` server that answers every request with the
 * given bytes (the app's own /invoices response), no routing, no auth, no database.
 */
import { readFileSync } from "node:fs"
import { createServer } from "node:http"

const body = readFileSync(process.argv[2]!)
const server = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "application/json", "content-length": body.length })
  response.end(body)
})
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  console.log(`listening ${typeof address === "object" && address !== null ? address.port : 0}`)
})
process.on("SIGTERM", () => server.close(() => process.exit(0)))
