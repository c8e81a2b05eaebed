/**
 * What a field means, written where the field is defined and shown on the property in the API
 * reference:
 *
 * ```ts
 * total: Money.MinorUnits.pipe(FieldDoc.describe("The amount due, in minor units: \"12345\" = $123.45."))
 * ```
 *
 * It is a key annotation (the field's meaning, not its type's), put on the field's encoded side:
 * the OpenAPI generator reads a field as encoded, and a key annotation on the decoded side of a
 * transformation (`MinorUnits`, `Instant`, a class) is lost when it flips the schema. The schema
 * decodes and encodes exactly as before.
 */
import { Schema } from "effect"

/** Documents a struct field: a description and, where they help, examples of its encoded value. */
export const describe =
  (description: string, examples?: ReadonlyArray<unknown>) =>
  <S extends Schema.Top>(self: S): S["Rebuild"] =>
    self.rebuild(
      Schema.flip(
        Schema.flip(self).annotateKey(
          examples === undefined ? { description } : { description, examples: [...examples] }
        )
      ).ast
    )
