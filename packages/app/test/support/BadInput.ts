/**
 * Malformed requests derived from the OpenAPI document: for every operation, path parameters,
 * query parameters and JSON bodies are mutated (wrong types, missing required fields, out-of-range
 * and oversized values, bad ids, invalid JSON, wrong content types, duplicate and unknown keys,
 * text PostgreSQL cannot store, impossible instants, unbounded quantities).
 * The generator is seeded, so a failure names a request that can be replayed.
 *
 * {@link sweep} is the deterministic half: every string field of every JSON body (from a valid
 * body per operation) and every query parameter gets each class of hostile value, and each such
 * request must be refused with a 4xx naming that field, so a text field that slips past the rules
 * shows up by name.
 */

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

/** One request to send. */
export interface BadRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body?: string
  readonly why: string
}

interface Operation {
  readonly method: string
  readonly path: string
  readonly pathParams: ReadonlyArray<string>
  readonly queryParams: ReadonlyArray<{ name: string; schema: any }>
  readonly body: any | undefined
}

/** A small deterministic PRNG (mulberry32), so every run sends the same requests for a seed. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Text PostgreSQL cannot store, or would not give back as sent, or that no one-line field should hold. */
export const hostileText: ReadonlyArray<string> = [
  "nul\u0000inside",
  "\u0000",
  "lone \ud800 high surrogate",
  "\udc00 lone low surrogate",
  "trailing high \ud83d",
  "escape \u001b[2J sequence",
  "bell\u0007",
  "c1 \u009b control"
]

/** Instants that are not RFC 3339 date-times in [2000-01-01, 2200-01-01). */
export const hostileInstants: ReadonlyArray<string> = [
  "0000-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "-0001-06-01T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "1",
  "2026",
  "2026-02-30T00:00:00Z",
  "2026-06-01T24:00:00Z",
  "2026-06-01T00:00:00",
  "1999-12-31T23:59:59Z",
  "2200-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z"
]

/** Quantities over `Usage.maxQuantity` or with more than `Usage.maxQuantityScale` decimals. */
export const hostileQuantities: ReadonlyArray<string> = [
  "100000000000000000000",
  "123456789012345678901234567890",
  "999999999999999999999999999999.999999999999999999999999999999",
  "1000000000.000001",
  "1000000001",
  "0.0000001"
]

const nasty: ReadonlyArray<Json> = [
  ...hostileText,
  ...hostileInstants,
  ...hostileQuantities,
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  "",
  " ",
  "null",
  "-1",
  "1e3",
  "NaN",
  "Infinity",
  "0x10",
  "'; drop table invoices; --",
  "../../etc/passwd",
  "%00",
  "\u0000",
  "\ud800",
  "😀".repeat(50),
  "a".repeat(10_000),
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "not-a-uuid",
  "2026-13",
  "2026-02-30T25:61:00Z",
  [],
  [null],
  {},
  { __proto__: { admin: true } } as unknown as Json,
  { constructor: { prototype: {} } } as unknown as Json
]

const resolve = (doc: any, schema: any): any => {
  let s = schema
  for (let i = 0; i < 10 && s?.$ref !== undefined; i++) {
    s = doc.components.schemas[String(s.$ref).replace("#/components/schemas/", "")]
  }
  return s ?? {}
}

const refName = (schema: any): string | undefined =>
  typeof schema?.$ref === "string" ? String(schema.$ref).replace("#/components/schemas/", "") : undefined

/** Valid values for named components the document cannot describe fully (an instant, a metric). */
export type Samples = Readonly<Record<string, Json>>

/** A plausible valid value for a schema, used as the base that one mutation then breaks. */
const sample = (doc: any, schema: any, depth = 0, samples: Samples = {}): Json => {
  const name = refName(schema)
  if (name !== undefined && samples[name] !== undefined) return samples[name]!
  const s = resolve(doc, schema)
  if (depth > 6) return null
  if (s.enum !== undefined) return s.enum[0]
  if (s.const !== undefined) return s.const
  if (s.anyOf !== undefined) return sample(doc, s.anyOf[0], depth + 1, samples)
  if (s.oneOf !== undefined) return sample(doc, s.oneOf[0], depth + 1, samples)
  if (s.allOf !== undefined) return sample(doc, s.allOf[0], depth + 1, samples)
  switch (s.type) {
    case "object": {
      const out: Record<string, Json> = {}
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = sample(doc, v, depth + 1, samples)
      return out
    }
    case "array":
      return [sample(doc, s.items ?? {}, depth + 1, samples)]
    case "integer":
    case "number":
      return s.minimum ?? 1
    case "boolean":
      return true
    case "string":
      if (s.format === "uuid") return "0b7c2a4e-3f1d-4c55-9a1e-000000000001"
      if (s.format === "date-time") return "2026-10-01T00:00:00Z"
      return "x"
    default:
      return "x"
  }
}

/** The operations of an OpenAPI document. */
export const operations = (doc: any): Array<Operation> =>
  Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map(([method, op]: [string, any]) => {
        const parameters = (op.parameters ?? []) as Array<any>
        return {
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
          queryParams: parameters
            .filter((p) => p.in === "query")
            .map((p) => ({ name: p.name, schema: p.schema })),
          body: op.requestBody?.content?.["application/json"]?.schema
        }
      })
  )

const enc = (v: Json): string => (typeof v === "string" ? v : JSON.stringify(v))

// A lone surrogate cannot be percent-encoded as UTF-8; send the invalid bytes instead, which is
// what a hostile client would do.
const encodePath = (v: string): string => {
  try {
    return encodeURIComponent(v)
  } catch {
    return "%ED%A0%80"
  }
}

const mutate = (value: Json, random: () => number, depth = 0): Json => {
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(random() * xs.length)]!
  if (value !== null && typeof value === "object" && !Array.isArray(value) && depth < 4) {
    const keys = Object.keys(value)
    const roll = random()
    if (keys.length > 0 && roll < 0.3) {
      const { [pick(keys)]: _, ...rest } = value as Record<string, Json>
      return rest // a required field missing
    }
    if (keys.length > 0 && roll < 0.85) {
      const key = pick(keys)
      return {
        ...(value as Record<string, Json>),
        [key]: mutate((value as Record<string, Json>)[key]!, random, depth + 1)
      }
    }
    return { ...(value as Record<string, Json>), [`unexpected_${Math.floor(random() * 100)}`]: pick(nasty) }
  }
  if (Array.isArray(value) && depth < 4) {
    const roll = random()
    if (roll < 0.2) return []
    if (roll < 0.4) return Array.from({ length: 1001 + Math.floor(random() * 50) }, () => value[0] ?? null)
    if (roll < 0.7 && value.length > 0) return [mutate(value[0]!, random, depth + 1), ...value.slice(1)]
  }
  return pick(nasty)
}

const authorizationFor = (authorization: string | ((path: string) => string), path: string): string =>
  typeof authorization === "string" ? authorization : authorization(path)

/**
 * `count` malformed requests for the operations of `doc`, seeded. `pathValue` gives a valid value
 * for a path parameter (a real invoice id, say) so mutations reach the body and query too.
 */
export const generate = (
  doc: any,
  options: {
    readonly count: number
    readonly seed: number
    /** The credential for an operation's path (a tenant's, or an operator's for `/admin`). */
    readonly authorization: string | ((path: string) => string)
    readonly pathValue: (name: string) => string
    /** Valid values of named components, so mutations start from a valid body. */
    readonly samples?: Samples
  }
): Array<BadRequest> => {
  const random = prng(options.seed)
  const ops = operations(doc)
  const out: Array<BadRequest> = []
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(random() * xs.length)]!
  for (let i = 0; i < options.count; i++) {
    const op = ops[i % ops.length]!
    const authorization = authorizationFor(options.authorization, op.path)
    const headers: Record<string, string> = { authorization }
    // Every request carries at least one mutation, aimed at what the operation reads.
    const targets = [
      ...(op.pathParams.length > 0 ? ["path", "path"] : []),
      ...(op.queryParams.length > 0 ? ["query", "query"] : []),
      ...(op.body !== undefined ? ["body", "body", "body"] : []),
      "auth",
      "extra-query"
    ]
    const target = pick(targets)
    let why = ""
    let path = op.path
    const params = Object.fromEntries(op.pathParams.map((p) => [p, options.pathValue(p)]))
    if (target === "path") {
      const p = pick(op.pathParams)
      params[p] = enc(pick(nasty))
      why = `path parameter ${p}`
    }
    for (const [p, v] of Object.entries(params)) path = path.replace(`{${p}}`, encodePath(v))
    const query = new URLSearchParams()
    if (target === "query") {
      const q = pick(op.queryParams)
      query.append(q.name, enc(mutate(sample(doc, q.schema, 0, options.samples), random)))
      if (random() < 0.3) query.append(q.name, "second-value")
      why = `query parameter ${q.name}`
    }
    if (target === "extra-query") {
      query.append(pick(["limit", "__proto__", "cursor", "q", ""]), enc(pick(nasty)))
      why = "unexpected query parameter"
    }
    if (target === "auth") {
      const token = authorization.replace(/^Bearer /, "")
      headers.authorization = pick([
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        `bearer ${token}`,
        `Bearer ${token} ${token}`,
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token}x`,
        `Bearer ${"A".repeat(8000)}`,
        `Bearer ${token.replace(/_/g, ".")}`,
        "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiJ9.",
        "Bearer %00"
      ])
      why = "authorization header"
    }
    let body: string | undefined
    if (op.body !== undefined) {
      headers["content-type"] = "application/json"
      const base = sample(doc, op.body, 0, options.samples)
      if (target !== "body") {
        body = JSON.stringify(base)
      } else {
        const roll = random()
        if (roll < 0.1) {
          body = JSON.stringify(base).slice(0, -1)
          why = "truncated JSON"
        } else if (roll < 0.15) {
          body = "x".repeat(2_000_000)
          why = "2 MB body"
        } else if (roll < 0.2) {
          headers["content-type"] = pick(["text/plain", "application/xml", "multipart/form-data; boundary=x"])
          body = JSON.stringify(base)
          why = `content-type ${headers["content-type"]}`
        } else if (roll < 0.25) {
          body = ""
          why = "empty body"
        } else {
          body = JSON.stringify(mutate(base, random))
          why = "mutated body"
        }
      }
    }
    const qs = query.toString()
    out.push({
      method: op.method,
      path: qs === "" ? path : `${path}?${qs}`,
      headers,
      ...(body === undefined || op.method === "GET" ? {} : { body }),
      why
    })
  }
  return out
}

/** A request of the {@link sweep} and the refusal it must get. */
export interface SweptRequest extends BadRequest {
  /** The field the 4xx must name (`events.0.subject`, `name`, a query parameter). */
  readonly field: string
}

interface Leaf {
  readonly path: ReadonlyArray<string | number>
  readonly schema: any
}

// The string leaves of a valid body, each with the document's schema for it (a `$ref` kept, so the
// component it is declared with can be told).
const stringLeaves = (
  doc: any,
  schema: any,
  value: Json,
  path: ReadonlyArray<string | number> = []
): Array<Leaf> => {
  const s = resolve(doc, schema)
  const branches: Array<any> | undefined = s.anyOf ?? s.oneOf
  if (branches !== undefined) {
    const branch = branches.find((b) => resolve(doc, b).type !== "null") ?? branches[0]
    return stringLeaves(doc, branch, value, path)
  }
  if (typeof value === "string") return [{ path, schema }]
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(doc, s.items ?? {}, v, [...path, i]))
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) =>
      stringLeaves(doc, s.properties?.[k] ?? {}, v, [...path, k])
    )
  }
  return []
}

const replaceAt = (value: Json, path: ReadonlyArray<string | number>, replacement: Json): Json => {
  if (path.length === 0) return replacement
  const [head, ...rest] = path
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v))
  const record = value as Record<string, Json>
  return { ...record, [head!]: replaceAt(record[head!]!, rest, replacement) }
}

/** The first example the document gives a request body's schema (a `$ref` followed). */
const documentedExample = (doc: any, schema: any): Json | undefined => {
  const resolved = typeof schema?.$ref === "string" ? doc.components?.schemas?.[refName(schema)!] : schema
  return resolved?.examples?.[0] ?? resolved?.example
}

/**
 * Every hostile class in every field: for each operation with a JSON body, each string leaf of its
 * valid body (`validBodies`, keyed `METHOD /path`) gets every {@link hostileText} value, and
 * instants and quantities (by the component they are declared with) every {@link hostileInstants} /
 * {@link hostileQuantities} value; each string query parameter gets NUL, an escape and bytes that
 * are not UTF-8. An operation with a body but no valid body given is an error: a new endpoint must
 * join the sweep.
 */
export const sweep = (
  doc: any,
  options: {
    /** The credential for an operation's path (a tenant's, or an operator's for `/admin`). */
    readonly authorization: string | ((path: string) => string)
    readonly pathValue: (name: string) => string
    readonly validBodies: Readonly<Record<string, Json>>
    readonly instantComponents: ReadonlyArray<string>
    readonly quantityComponents: ReadonlyArray<string>
  }
): Array<SweptRequest> => {
  const out: Array<SweptRequest> = []
  for (const op of operations(doc)) {
    let path = op.path
    for (const p of op.pathParams) path = path.replace(`{${p}}`, encodePath(options.pathValue(p)))
    const headers = { authorization: authorizationFor(options.authorization, op.path) }
    if (op.body !== undefined) {
      const key = `${op.method} ${op.path}`
      // The test's own body, else the reference's example (the API reference test decodes each
      // example with its endpoint's payload schema, so it is a valid body).
      const base = options.validBodies[key] ?? documentedExample(doc, op.body)
      if (base === undefined) throw new Error(`sweep: no valid body for ${key}; add one to the test`)
      for (const leaf of stringLeaves(doc, op.body, base)) {
        const component = refName(leaf.schema)
        const values = [
          ...hostileText,
          ...(component !== undefined && options.instantComponents.includes(component)
            ? hostileInstants
            : []),
          ...(component !== undefined && options.quantityComponents.includes(component)
            ? hostileQuantities
            : [])
        ]
        const field = leaf.path.join(".")
        for (const v of values) {
          out.push({
            method: op.method,
            path,
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify(replaceAt(base, leaf.path, v)),
            why: `${field} = ${JSON.stringify(v)}`,
            field
          })
        }
      }
    }
    for (const q of op.queryParams) {
      for (const [raw, label] of [
        ["%00", "NUL"],
        ["a%1B%5B2J", "an escape"],
        ["%ED%A0%80", "bytes that are not UTF-8"],
        ["%C0%AF", "an overlong UTF-8 encoding"]
      ] as const) {
        out.push({
          method: op.method,
          path: `${path}?${encodeURIComponent(q.name)}=${raw}`,
          headers,
          why: `query ${q.name} = ${label}`,
          field: q.name
        })
      }
    }
  }
  return out
}
