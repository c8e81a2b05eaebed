/** Ed25519 key material for audit checkpoints: `keyId:base64` entries, seeds, PKCS#8, SPKI. */
export * as AuditKeyMaterial from "./audit/AuditKeyMaterial.ts"
/** The development audit signing key, generated once per data directory. */
export * as DevAuditSigningKey from "./audit/DevAuditSigningKey.ts"
/** `AuditKeyRing` over Ed25519 public keys (current and retired). */
export * as Ed25519AuditKeyRing from "./audit/Ed25519AuditKeyRing.ts"
/** `AuditSigner` with an Ed25519 key. */
export * as Ed25519AuditSigner from "./audit/Ed25519AuditSigner.ts"
/** Signed audit checkpoints as append-only JSON files in a directory. */
export * as FileCheckpointStore from "./audit/FileCheckpointStore.ts"
/** Signed audit checkpoints in memory (for an in-memory database). */
export * as MemoryCheckpointStore from "./audit/MemoryCheckpointStore.ts"
/** Session tokens as HS256 JWTs with rotating signing secrets. */
export * as HmacSessionTokens from "./auth/HmacSessionTokens.ts"
/** API key material: random ids and secrets, SHA-256 with constant-time comparison. */
export * as Sha256ApiKeySecrets from "./auth/Sha256ApiKeySecrets.ts"
/** Which session signing secrets are acceptable (length, variety, never a published one). */
export * as SigningSecretRules from "./auth/SigningSecretRules.ts"
/** The process's shared DynamoDB client. */
export * as DynamoClient from "./dynamodb/DynamoClient.ts"
/** Counters for the limits on DynamoDB, shared by every instance. */
export * as DynamoLimitStore from "./dynamodb/DynamoLimitStore.ts"
/** The payment provider's ids and events on DynamoDB, with conditional writes (Lambda). */
export * as DynamoPaymentRecords from "./dynamodb/DynamoPaymentRecords.ts"
/** The session cache on DynamoDB. */
export * as DynamoSessionCache from "./dynamodb/DynamoSessionCache.ts"
/** The session deny list on DynamoDB. */
export * as DynamoSessionRevocations from "./dynamodb/DynamoSessionRevocations.ts"
/** Creating the DynamoDB tables. */
export * as DynamoTables from "./dynamodb/DynamoTables.ts"
/** In-memory API key store. */
export * as MemoryApiKeyStore from "./memory/MemoryApiKeyStore.ts"
/** In-memory record of authentication attempts. */
export * as MemoryAuthAttempts from "./memory/MemoryAuthAttempts.ts"
/** In-memory customer directory. */
export * as MemoryCustomerDirectory from "./memory/MemoryCustomerDirectory.ts"
/** The bounded in-memory counters for the limits (the embedded default, per process). */
export * as MemoryLimitStore from "./memory/MemoryLimitStore.ts"
/** The bounded in-memory session cache (the embedded default). */
export * as MemorySessionCache from "./memory/MemorySessionCache.ts"
/** In-memory session deny list. */
export * as MemorySessionRevocations from "./memory/MemorySessionRevocations.ts"
/** The embedded `Mailer`: one readable `.eml` file per message. */
export * as LocalOutboxMailer from "./outbox/LocalOutboxMailer.ts"
/** DATABASE_URL or the embedded default. */
export * as PgDatabase from "./postgres/Database.ts"
/** Applies and records migrations. */
export * as PgMigrator from "./postgres/Migrator.ts"
/** The ordered schema migrations. */
export * as PgMigrations from "./postgres/migrations/index.ts"
/** `ApiKeyStore` on PostgreSQL: tenant-scoped writes, exact-id lookup before the tenant is known. */
export * as PgApiKeyStore from "./postgres/PgApiKeyStore.ts"
/** `AuditLog` on PostgreSQL: a hash chain kept by the database. */
export * as PgAuditLog from "./postgres/PgAuditLog.ts"
/** Authentication attempts on the audit trail. */
export * as PgAuthAttempts from "./postgres/PgAuthAttempts.ts"
/** `BillableUsage` on PostgreSQL: the usage to bill, read under its period's exclusive lock. */
export * as PgBillableUsage from "./postgres/PgBillableUsage.ts"
/** Claims, invoice numbers, outbox and past-due invoices for the billing run, as one layer. */
export * as PgBilling from "./postgres/PgBilling.ts"
/** `BillingBatch` on PostgreSQL: multi-row writes for the billing run's batch mode. */
export * as PgBillingBatch from "./postgres/PgBillingBatch.ts"
/** `BillingClaims` on PostgreSQL: `FOR UPDATE SKIP LOCKED` claims per period and customer. */
export * as PgBillingClaims from "./postgres/PgBillingClaims.ts"
/** Compliance findings on PostgreSQL. */
export * as PgComplianceRepo from "./postgres/PgComplianceRepo.ts"
/** `CreditNoteNumbers` on PostgreSQL: gap-free `CN-` numbers per year. */
export * as PgCreditNoteNumbers from "./postgres/PgCreditNoteNumbers.ts"
/** `CustomerDirectory` on PostgreSQL. */
export * as PgCustomerDirectory from "./postgres/PgCustomerDirectory.ts"
/** `CustomerRepo` on PostgreSQL. */
export * as PgCustomerRepo from "./postgres/PgCustomerRepo.ts"
/** `DunningSteps` on PostgreSQL: invoices to dun, and each step taken once. */
export * as PgDunningSteps from "./postgres/PgDunningSteps.ts"
/** `InvoiceNumbers` on PostgreSQL: the gap-free per-year counter. */
/** `InvoiceDirectory` on PostgreSQL: an invoice's customer, for operators. */
export * as PgInvoiceDirectory from "./postgres/PgInvoiceDirectory.ts"
/** Gap-free invoice numbers per year. */
export * as PgInvoiceNumbers from "./postgres/PgInvoiceNumbers.ts"
/** `InvoiceRepo` on PostgreSQL. */
export * as PgInvoiceRepo from "./postgres/PgInvoiceRepo.ts"
/** The count of invoice e-mail resends per invoice and hour, on PostgreSQL. */
export * as PgInvoiceResends from "./postgres/PgInvoiceResends.ts"
/** The database login a deployed service may run as (no superuser, BYPASSRLS or owner). */
export * as PgLoginCheck from "./postgres/PgLoginCheck.ts"
/** The embedded PostgreSQL (PGlite) as an `effect/sql` client. */
export * as PgliteClient from "./postgres/PgliteClient.ts"
/** `OperatorStore` on PostgreSQL: one operator by id for authentication, administration as the owner. */
export * as PgOperatorStore from "./postgres/PgOperatorStore.ts"
/** The transactional outbox on PostgreSQL (`notifications`). */
export * as PgOutbox from "./postgres/PgOutbox.ts"
/** `PastDueInvoices` on PostgreSQL, for the overdue sweep. */
export * as PgPastDueInvoices from "./postgres/PgPastDueInvoices.ts"
/** `PaymentCustomerDetails` on PostgreSQL: the time of the provider customer's newest details. */
export * as PgPaymentCustomerDetails from "./postgres/PgPaymentCustomerDetails.ts"
/** `PaymentLinks` on PostgreSQL: the provider payments of our invoices. */
export * as PgPaymentLinks from "./postgres/PgPaymentLinks.ts"
/** `PaymentPushes` on PostgreSQL: the outbox of invoice pushes to the payment provider. */
export * as PgPaymentPushes from "./postgres/PgPaymentPushes.ts"
/** `PaymentRecords` on PostgreSQL: provider ids, webhook events, payment attempts. */
export * as PgPaymentRecords from "./postgres/PgPaymentRecords.ts"
/** `PaymentRefunds` on PostgreSQL: the credited provider refunds. */
export * as PgPaymentRefunds from "./postgres/PgPaymentRefunds.ts"
/** `PaymentSubscriptions` on PostgreSQL: the provider's subscriptions, newest state kept. */
export * as PgPaymentSubscriptions from "./postgres/PgPaymentSubscriptions.ts"
/** `PendingRefunds` on PostgreSQL: refund events waiting for their payment's link. */
export * as PgPendingRefunds from "./postgres/PgPendingRefunds.ts"
/** `ReceivablesRepo` on PostgreSQL: payments and credit notes. */
export * as PgReceivablesRepo from "./postgres/PgReceivablesRepo.ts"
/** Evicts cached credentials when PostgreSQL announces a revocation (LISTEN/NOTIFY). */
export * as PgRevocationListener from "./postgres/PgRevocationListener.ts"
/** The session deny list, durable in PostgreSQL, in front of a fast index. */
export * as PgSessionRevocations from "./postgres/PgSessionRevocations.ts"
/** Support tickets on PostgreSQL. */
export * as PgSupportTicketRepo from "./postgres/PgSupportTicketRepo.ts"
/** `Tenancy` on PostgreSQL: one transaction per tenant, row-level security. */
export * as PgTenancy from "./postgres/PgTenancy.ts"
/** `UsageEventRepo` on PostgreSQL. */
export * as PgUsageEventRepo from "./postgres/PgUsageEventRepo.ts"
/** PostgreSQL roles (owner, app, worker) and their idempotent bootstrap. */
export * as PgRoles from "./postgres/Roles.ts"
/** Counters for the limits on Redis, shared by every instance. */
export * as RedisLimitStore from "./redis/RedisLimitStore.ts"
/** The `Mailer` on Amazon SES v2. */
export * as SesMailer from "./ses/SesMailer.ts"
/** The official Stripe SDK client: endpoint override, our retries on 429/409/5xx. */
export * as StripeClient from "./stripe/StripeClient.ts"
/** `PaymentProvider` on Stripe: customers, invoices with items, idempotency keys from our ids. */
export * as StripePaymentProvider from "./stripe/StripePaymentProvider.ts"
/** Stripe webhooks verified with the SDK's `constructEvent` (several secrets, 5-minute tolerance). */
export * as StripeWebhooks from "./stripe/StripeWebhooks.ts"
