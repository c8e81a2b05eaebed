/**
 * `/admin`: the operator's side of SecureBase, in the same HttpApi and OpenAPI document as the
 * tenant endpoints, behind the operator middleware (`sb_op_…` keys and operator scopes).
 * `GET /admin/operator` answers who the calling operator is.
 */
import { FieldDoc, Operator } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"

/** The calling operator. */
export const OperatorSelf = Schema.Struct({
  operatorId: Operator.OperatorId.pipe(
    FieldDoc.describe("The operator's id: 16 lowercase base32 characters, as in its key `sb_op_<id>_…`.", [
      "abcdefghijklmnop"
    ])
  ),
  name: Schema.String.pipe(FieldDoc.describe("The operator's name.", ["Ada (support)"])),
  scopes: Schema.Array(Operator.OperatorScope).pipe(
    FieldDoc.describe("The operator scopes of the calling key.")
  ),
  /** How the audit trail records this operator's actions. */
  actor: Schema.String.pipe(
    FieldDoc.describe("How the audit trail records this operator's actions.", ["operator:abcdefghijklmnop"])
  )
}).annotate({ identifier: "OperatorSelf" })

/** The operator's own identity (any operator scope). */
export class AdminApi extends HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.get("operator", "/admin/operator", { success: OperatorSelf }).annotateMerge(
      OpenApi.annotations({
        summary: "Get the calling operator",
        description:
          "Who the calling operator is: its id, name, operator scopes and the actor its actions are audited as. Takes an operator key (`Authorization: Bearer sb_op_\u2026`); any operator scope will do (no scope needed beyond being an operator). Errors: 401 `AUTH.OPERATOR_KEY_REQUIRED` without an operator key (or with a bad or revoked one), 403 `AUTH.OPERATOR_REQUIRED` for a tenant's key or session."
      })
    )
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin" })) {}
