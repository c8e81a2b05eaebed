/**
 * The one HttpApi definition of SecureBase, served by the Node server (`packages/http`) and by the
 * Lambda handlers alike. Every error of every endpoint is in the shape of `api/ApiErrors.ts`.
 */
import { HttpApi, OpenApi } from "effect/http-api"
import { ApiKeysApi } from "./apikeys/ApiKeysApi.ts"
import { AuditApi } from "./audit/AuditApi.ts"
import { AuthApi } from "./auth/AuthApi.ts"
import { ComplianceApi } from "./compliance/ComplianceApi.ts"
import { InvoicesApi } from "./invoices/InvoicesApi.ts"
import { MetricsApi } from "./metrics/MetricsApi.ts"
import { SupportApi } from "./support/SupportApi.ts"
import { SystemApi } from "./system/SystemApi.ts"
import { UsageApi } from "./usage/UsageApi.ts"

/** The SecureBase API. */
export class Api extends HttpApi.make("securebase")
  .add(SystemApi)
  .add(AuthApi)
  .add(InvoicesApi)
  .add(MetricsApi)
  .add(ApiKeysApi)
  .add(ComplianceApi)
  .add(SupportApi)
  .add(UsageApi)
  .add(AuditApi)
  .annotateMerge(
    OpenApi.annotations({
      title: "SecureBase API",
      version: "0.1.0",
      description:
        "Multi-tenant billing and tenancy. Authenticate with `Authorization: Bearer <API key or session token>`; " +
        "every object you can see is your own: other tenants' ids answer 404."
    })
  ) {}
