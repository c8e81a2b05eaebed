/**
 * What the API reference must say, checked on the OpenAPI document itself: every operation a
 * summary, a description and its scope (or, for one that needs none, a description that says "no
 * scope"); every schema property and every parameter a description; every JSON request body an
 * example. Each gap is named, so a new endpoint without its documentation fails with a list of
 * what to write.
 */

type Json = Record<string, any>

const methods = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"])

/** The operations of a document as `[label, operation]`, such as `["GET /invoices", {...}]`. */
export const operations = (doc: Json): Array<readonly [string, Json]> =>
  Object.entries<Json>(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries<Json>(item)
      .filter(([method]) => methods.has(method))
      .map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const)
  )

const resolve = (doc: Json, schema: Json | undefined): Json | undefined => {
  let s = schema
  for (let hops = 0; s?.$ref !== undefined && hops < 10; hops++) {
    const name = String(s.$ref).replace("#/components/schemas/", "")
    s = doc.components?.schemas?.[name]
  }
  return s
}

const hasText = (value: unknown): boolean => typeof value === "string" && value.trim().length > 0

/** Every gap in the document's documentation, one line each (empty when complete). */
export const audit = (doc: Json): Array<string> => {
  const gaps: Array<string> = []
  const properties = (where: string, schema: unknown): void => {
    if (schema === null || typeof schema !== "object") return
    const s = schema as Json
    for (const [name, property] of Object.entries<Json>(s.properties ?? {})) {
      if (!hasText(property.description)) gaps.push(`field ${where}.${name} has no description`)
      properties(`${where}.${name}`, property)
    }
    for (const key of ["items", "additionalProperties", "anyOf", "oneOf", "allOf", "prefixItems"]) {
      const nested = s[key]
      if (Array.isArray(nested)) for (const n of nested) properties(where, n)
      else properties(where, nested)
    }
  }
  for (const [name, schema] of Object.entries<Json>(doc.components?.schemas ?? {})) properties(name, schema)

  for (const [label, op] of operations(doc)) {
    if (!hasText(op.summary)) gaps.push(`operation ${label} has no summary`)
    if (!hasText(op.description)) gaps.push(`operation ${label} has no description`)
    const scopes: Array<string> = (op.security ?? doc.security ?? []).flatMap((requirement: Json) =>
      Object.values<Array<string>>(requirement).flat()
    )
    if (scopes.length === 0 && !/\bno scope\b/i.test(String(op.description ?? ""))) {
      gaps.push(`operation ${label} names no scope (and its description does not say it needs none)`)
    }
    for (const parameter of op.parameters ?? []) {
      if (!hasText(parameter.description)) {
        gaps.push(`parameter ${parameter.in} "${parameter.name}" of ${label} has no description`)
      }
    }
    for (const [type, media] of Object.entries<Json>(op.requestBody?.content ?? {})) {
      properties(`${label} request body`, media.schema)
      if (type === "application/json") {
        const resolved = resolve(doc, media.schema)
        const hasExample =
          media.example !== undefined ||
          (media.examples !== undefined && Object.keys(media.examples).length > 0) ||
          (Array.isArray(resolved?.examples) && resolved.examples.length > 0)
        if (!hasExample) gaps.push(`request body of ${label} has no example`)
      }
    }
    for (const [status, response] of Object.entries<Json>(op.responses ?? {})) {
      for (const media of Object.values<Json>(response.content ?? {})) {
        properties(`${label} ${status} response`, media.schema)
      }
    }
  }
  return [...new Set(gaps)]
}
