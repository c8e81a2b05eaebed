/**
 * The API's routes as data, from the one HttpApi definition: which methods a path answers, so a
 * request with the wrong method gets 405 with `Allow` rather than 404.
 */
import { HttpApi } from "effect/http-api"
import { Api } from "../Api.ts"

interface Route {
  readonly method: string
  readonly segments: ReadonlyArray<string>
}

const routes: ReadonlyArray<Route> = (() => {
  const out: Array<Route> = []
  HttpApi.reflect(Api, {
    onGroup: () => undefined,
    onEndpoint: ({ endpoint }) => {
      out.push({ method: endpoint.method, segments: endpoint.path.split("/").filter((s) => s !== "") })
    }
  })
  return out
})()

const matches = (route: Route, segments: ReadonlyArray<string>): boolean =>
  route.segments.length === segments.length &&
  route.segments.every((s, i) => s.startsWith(":") || s === segments[i])

/** The methods the API answers at `pathname` (empty when no route has that path). */
export const methodsAt = (pathname: string): ReadonlyArray<string> => {
  const segments = pathname.split("/").filter((s) => s !== "")
  const methods = new Set(routes.filter((r) => matches(r, segments)).map((r) => r.method))
  // GET routes answer HEAD too.
  if (methods.has("GET")) methods.add("HEAD")
  return Array.from(methods).sort()
}
