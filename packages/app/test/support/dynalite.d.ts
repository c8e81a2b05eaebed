// dynalite ships no types; the tests use only its server factory.
declare module "dynalite" {
  import type { Server } from "node:http"

  interface Options {
    readonly createTableMs?: number
    readonly deleteTableMs?: number
    readonly updateTableMs?: number
    readonly path?: string
  }
  const dynalite: (options?: Options) => Server
  export default dynalite
}
