/**
 * The one HttpApi definition of SecureBase, served by the Node server (`packages/http`) and by the
 * Lambda handlers alike. Every error of every endpoint is in the shape of `api/ApiErrors.ts`.
 */
import { HttpApi, OpenApi } from "effect/http-api"
import { AccountApi } from "./account/AccountApi.ts"
import { AdminApi } from "./admin/AdminApi.ts"
import { AdminComplianceApi } from "./admin/AdminComplianceApi.ts"
import { AdminCustomersApi } from "./admin/AdminCustomersApi.ts"
import { AdminInvoicesApi } from "./admin/AdminInvoicesApi.ts"
import { AdminSupportApi } from "./admin/AdminSupportApi.ts"
import { ApiKeysApi } from "./apikeys/ApiKeysApi.ts"
import { AuditApi } from "./audit/AuditApi.ts"
import { AuthApi } from "./auth/AuthApi.ts"
import { SessionApi } from "./auth/SessionApi.ts"
import { ComplianceApi } from "./compliance/ComplianceApi.ts"
import { InvoicesApi } from "./invoices/InvoicesApi.ts"
import { MetricsApi } from "./metrics/MetricsApi.ts"
import { PaymentsApi } from "./payments/PaymentsApi.ts"
import { SupportApi } from "./support/SupportApi.ts"
import { SystemApi } from "./system/SystemApi.ts"
import { UsageApi } from "./usage/UsageApi.ts"

/** The SecureBase API. */
export class Api extends HttpApi.make("securebase")
  .add(SystemApi)
  .add(AuthApi)
  .add(SessionApi)
  .add(AccountApi)
  .add(InvoicesApi)
  .add(PaymentsApi)
  .add(MetricsApi)
  .add(ApiKeysApi)
  .add(ComplianceApi)
  .add(SupportApi)
  .add(UsageApi)
  .add(AuditApi)
  .add(AdminApi)
  .add(AdminCustomersApi)
  .add(AdminInvoicesApi)
  .add(AdminComplianceApi)
  .add(AdminSupportApi)
  .annotateMerge(
    OpenApi.annotations({
      title: "SecureBase API",
      version: "0.1.0",
      description:
        "Multi-tenant billing and tenancy. Authenticate with `Authorization: Bearer <API key or session token>`, " +
        "or, in a browser, with the session cookie of `POST /auth/session` (state-changing requests then carry " +
        "`X-CSRF-Token`); every object you can see is your own: other tenants' ids answer 404.",
      transform: (spec) => withFieldDescriptions(withBearerScheme(spec))
    })
  ) {}

/**
 * The security scheme as OpenAPI readers expect it: effect writes `scheme: "Bearer"`, which some
 * (Scalar among them) do not recognize and then show as HTTP Basic in every example.
 */
export const withBearerScheme = (spec: Record<string, any>): Record<string, any> => ({
  ...spec,
  components: {
    ...spec.components,
    securitySchemes: {
      ...spec.components?.securitySchemes,
      bearer: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "API key (sb_live_…) or session token",
        description:
          "An API key (`sb_live_<keyId>_<secret>`, shown once when created) or a session token from " +
          "`POST /auth/authenticate`, as `Authorization: Bearer <credential>`."
      },
      operator: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "operator key (sb_op_…)",
        description:
          "An operator key (`sb_op_<operatorId>_<secret>`, from `securebase operators create`, shown once), " +
          "for the `/admin` endpoints only. Tenant credentials are refused there (403)."
      }
    }
  }
})

const annotationKeys = new Set(["description", "examples", "title"])

/**
 * Field descriptions where readers look for them. effect writes a field's own annotations
 * (`FieldDoc.describe`) as `allOf: [{ $ref }, { description }]`, or as `allOf: [{ description }]`
 * beside the type; OpenAPI 3.1 lets `description` sit beside `$ref`, so fold them into the
 * property itself. Nothing else changes.
 */
export const withFieldDescriptions = (spec: Record<string, any>): Record<string, any> => {
  const fold = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(fold)
    if (node === null || typeof node !== "object") return node
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(node)) out[key] = fold(value)
    if (Array.isArray(out.allOf)) {
      const isAnnotation = (x: any) =>
        x !== null && typeof x === "object" && Object.keys(x).every((k) => annotationKeys.has(k))
      const annotations = out.allOf.filter(isAnnotation)
      const rest = out.allOf.filter((x) => !isAnnotation(x))
      for (const a of annotations) Object.assign(out, a)
      if (rest.length === 0) delete out.allOf
      else if (rest.length === 1 && Object.keys(rest[0]).length === 1 && "$ref" in rest[0]) {
        delete out.allOf
        out.$ref = rest[0].$ref
      } else out.allOf = rest
    }
    return out
  }
  const folded = fold(spec) as Record<string, any>
  // A parameter's description belongs on the parameter, where readers (Scalar among them) show it.
  for (const item of Object.values<any>(folded.paths ?? {})) {
    for (const operation of Object.values<any>(item)) {
      for (const parameter of operation?.parameters ?? []) {
        if (parameter.description === undefined && parameter.schema?.description !== undefined) {
          parameter.description = parameter.schema.description
        }
      }
    }
  }
  return folded
}
