/**
 * A row schema's SELECT list: each field of the schema is a column, read with the cast its
 * driver-independent decoding needs (`bigint` and `numeric` as text, so no amount passes through a
 * float). The schema is the one list of a table's columns; a new column is a new field.
 */
import type { Schema } from "effect"

/** `alias.column` for each field, with the casts given (`{ total: "::text" }` or a whole expression). */
export const select = (
  row: Schema.Struct<Schema.Struct.Fields>,
  casts: { readonly [column: string]: string },
  alias: string
): string =>
  Object.keys(row.fields)
    .map((column) => {
      const cast = casts[column] ?? ""
      if (cast.startsWith("::") || cast === "") return `${alias}.${column}${cast}`
      return `${cast.replaceAll("$", `${alias}.${column}`)} AS ${column}`
    })
    .join(", ")

/** A jsonb value: parsed by one driver, text from another. */
export const json = (value: unknown): unknown => {
  if (typeof value !== "string") return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}
