/**
 * `/admin`: the operator's side of SecureBase, in the same HttpApi and OpenAPI document as the
 * tenant endpoints, behind the operator middleware (`sb_op_…` keys and operator scopes).
 * `GET /admin/operator` answers who the calling operator is.
 */
import { Operator } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"

/** The calling operator. */
export const OperatorSelf = Schema.Struct({
  operatorId: Operator.OperatorId,
  name: Schema.String,
  scopes: Schema.Array(Operator.OperatorScope),
  /** How the audit trail records this operator's actions. */
  actor: Schema.String
}).annotate({ identifier: "OperatorSelf" })

/** The operator's own identity (any operator scope). */
export class AdminApi extends HttpApiGroup.make("admin")
  .add(HttpApiEndpoint.get("operator", "/admin/operator", { success: OperatorSelf }))
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin" })) {}
