/**
 * @securebase/core: the pure billing and tenancy domain. Imports only `effect`.
 *
 * ```ts
 * import { Invoicing, PriceBook, Usage } from "@securebase/core"
 * ```
 */

/** Signed checkpoints of audit chains: the content, its canonical bytes, verdicts. */
export * as AuditCheckpoint from "./audit/AuditCheckpoint.ts"
/** Port: where signed audit checkpoints are kept, outside the database. */
export * as AuditCheckpointStore from "./audit/AuditCheckpointStore.ts"
/** Checkpointing and verifying audit chains against their signed checkpoints. */
export * as AuditCheckpoints from "./audit/AuditCheckpoints.ts"
/** Audit events and their hash chain. */
export * as AuditEvent from "./audit/AuditEvent.ts"
/** Port: the public keys that verify audit checkpoints. */
export * as AuditKeyRing from "./audit/AuditKeyRing.ts"
/** The audit log port. */
export * as AuditLog from "./audit/AuditLog.ts"
/** Port: the key that signs audit checkpoints. */
export * as AuditSigner from "./audit/AuditSigner.ts"
/** API keys: the `sb_live_<keyId>_<secret>` format, scopes, records, the plan's key limit. */
export * as ApiKey from "./auth/ApiKey.ts"
/** Port: random key material and the constant-time SHA-256 check of a secret. */
export * as ApiKeySecrets from "./auth/ApiKeySecrets.ts"
/** Port: where API keys are stored. */
export * as ApiKeyStore from "./auth/ApiKeyStore.ts"
/** Port: the record of authentication attempts (for the audit trail). */
export * as AuthAttempts from "./auth/AuthAttempts.ts"
/** Authentication and authorization errors with stable codes. */
export * as AuthError from "./auth/AuthError.ts"
/** Authentication: keys to identities, sessions, revocation, throttling. */
export * as Authenticator from "./auth/Authenticator.ts"
/** Port: a customer's plan and status, as authentication sees them. */
export * as CustomerDirectory from "./auth/CustomerDirectory.ts"
/** The authenticated caller and its scopes. */
export * as Identity from "./auth/Identity.ts"
/** Operators: the people and tools that run SecureBase (`sb_op_…` keys, operator scopes). */
export * as Operator from "./auth/Operator.ts"
/** Port: where operators are kept. */
export * as OperatorStore from "./auth/OperatorStore.ts"
/** Operator credentials: create, list, revoke, authenticate. */
export * as Operators from "./auth/Operators.ts"
/** Session token claims and their validation. */
export * as Session from "./auth/Session.ts"
/** Port: the cache of verified keys. */
export * as SessionCache from "./auth/SessionCache.ts"
/** Port: the deny list of sessions. */
export * as SessionRevocations from "./auth/SessionRevocations.ts"
/** Port: issuing and verifying session tokens. */
export * as SessionTokens from "./auth/SessionTokens.ts"
/** The per-client failure throttle. */
export * as Throttle from "./auth/Throttle.ts"
/** Port: the usage a billing run bills, read with the period closed to the customer's new events. */
export * as BillableUsage from "./billing/BillableUsage.ts"
/** Port: the billing run's set-based writes (batch mode). */
export * as BillingBatch from "./billing/BillingBatch.ts"
/** The billing run's claims port (one lockable row per period and customer). */
export * as BillingClaims from "./billing/BillingClaims.ts"
/** The scheduled work every driver shares: month end (bill, then daily) and daily (overdue, mail). */
export * as BillingJobs from "./billing/BillingJobs.ts"
/** The monthly billing run: claim, price, number, store, issue, queue the e-mail, audit. */
export * as BillingRun from "./billing/BillingRun.ts"
/** The breakdown of an invoice line: bands, packages, transactions, adjustments. */
export * as Breakdown from "./billing/Breakdown.ts"
/** Credit notes: lines or an amount, a reason, their own gap-free `CN-` numbers. */
export * as CreditNote from "./billing/CreditNote.ts"
/** Port: gap-free credit note numbers. */
export * as CreditNoteNumbers from "./billing/CreditNoteNumbers.ts"
/** The tax a credit note reverses: D'Hondt apportionment of the cumulative credit over the invoice's net and tax lines. */
export * as CreditNoteTax from "./billing/CreditNoteTax.ts"
/** Pricing one customer's period from its events: the draft that billing, previews and repricing share. */
export * as CustomerPricing from "./billing/CustomerPricing.ts"
/** Per-customer terms: negotiated prices, coupons, a minimum commitment. */
export * as CustomerTerms from "./billing/CustomerTerms.ts"
/** Volume discount rules. */
export * as Discount from "./billing/Discount.ts"
/** Dunning as data: reminder days, optional suspension, the steps due for an invoice. */
export * as Dunning from "./billing/Dunning.ts"
/** Port: the dunning steps taken, and the invoices to dun. */
export * as DunningSteps from "./billing/DunningSteps.ts"
/** The dunning sweep: reminders and suspension, each once, through the outbox, audited. */
export * as DunningSweep from "./billing/DunningSweep.ts"
/** What a plan entitles a customer to (limits, frameworks, support), held by the price book's plans. */
export * as Entitlements from "./billing/Entitlements.ts"
/** The invoice model and its reconciliation. */
export * as Invoice from "./billing/Invoice.ts"
/** Port: the customer an invoice id belongs to (for operators). */
export * as InvoiceDirectory from "./billing/InvoiceDirectory.ts"
/** The invoice state machine. */
export * as InvoiceLifecycle from "./billing/InvoiceLifecycle.ts"
/** Port: gap-free invoice numbers. */
export * as InvoiceNumbers from "./billing/InvoiceNumbers.ts"
/** The invoice repository port. */
export * as InvoiceRepo from "./billing/InvoiceRepo.ts"
/** Plain-text invoice rendering. */
export * as InvoiceText from "./billing/InvoiceText.ts"
/** What a customer reads on an invoice (state, blocks, lines, totals, amount due), for the PDF and e-mails. */
export * as InvoiceView from "./billing/InvoiceView.ts"
/** Pricing a month into a draft invoice. */
export * as Invoicing from "./billing/Invoicing.ts"
/** Issuing a credit note against an invoice, audited. */
export * as IssueCreditNote from "./billing/IssueCreditNote.ts"
/** Issuing one customer's invoice inside a worker transaction. */
export * as IssueInvoice from "./billing/IssueInvoice.ts"
/** The overdue sweep. */
export * as OverdueSweep from "./billing/OverdueSweep.ts"
/** Port: past-due invoices for the overdue sweep. */
export * as PastDueInvoices from "./billing/PastDueInvoices.ts"
/** Payments received against an invoice, idempotent by a client's key. */
export * as Payment from "./billing/Payment.ts"
/** Calendar-month billing periods. */
export * as Period from "./billing/Period.ts"
/** When a period closes: the usage grace, billability, and the errors of an open or closed period. */
export * as PeriodClose from "./billing/PeriodClose.ts"
/** Price books as data. */
export * as PriceBook from "./billing/PriceBook.ts"
/** The price book, tax policy and catalogue a deployment bills with. */
export * as Pricing from "./billing/Pricing.ts"
/** Pricing models: per-unit, package, graduated, volume, percentage. */
export * as PricingModel from "./billing/PricingModel.ts"
/** Proration of flat charges when a plan changes inside a month (segments, credit and charge). */
export * as Proration from "./billing/Proration.ts"
/** `quote(plan, usage, options)`: the pure price of a plan, with no ids. */
export * as Quote from "./billing/Quote.ts"
/** Receivables: amount due, payments, void and credit notes as pure functions over an invoice's account. */
export * as Receivables from "./billing/Receivables.ts"
/** Port: an invoice's payments and credit notes. */
export * as ReceivablesRepo from "./billing/ReceivablesRepo.ts"
/** Recording a payment against an invoice, idempotent and audited. */
export * as RecordPayment from "./billing/RecordPayment.ts"
/** A dry-run diff of a new price book: every customer's month under both, nothing written. */
export * as Repricing from "./billing/Repricing.ts"
/** Who issues the invoices (the seller block), from configuration. */
export * as Seller from "./billing/Seller.ts"
/** Tax policy, jurisdictions, exemptions. */
export * as Tax from "./billing/Tax.ts"
/** The upcoming invoice: the current month priced as the run would price it now, written nowhere. */
export * as UpcomingInvoice from "./billing/UpcomingInvoice.ts"
/** Voiding an invoice: cancelled with a reason, its number kept. */
export * as VoidInvoice from "./billing/VoidInvoice.ts"
/** Compliance findings and per-framework status. */
export * as Compliance from "./compliance/Compliance.ts"
/** The operator's side of findings: idempotent ingest of a scanner's batch, resolve (audited). */
export * as ComplianceAdmin from "./compliance/ComplianceAdmin.ts"
/** Port: compliance findings storage. */
export * as ComplianceRepo from "./compliance/ComplianceRepo.ts"
/** Changing a customer's pricing terms, audited. */
export * as ChangeTerms from "./customer/ChangeTerms.ts"
/** Customers (tenants). */
export * as Customer from "./customer/Customer.ts"
/** The operator's customer operations: create, update, suspend, reactivate, close (audited). */
export * as CustomerAdmin from "./customer/CustomerAdmin.ts"
/** The customer repository port. */
export * as CustomerRepo from "./customer/CustomerRepo.ts"
/** What a field means, shown on the property in the API reference. */
export * as FieldDoc from "./FieldDoc.ts"
/** Branded identifiers. */
export * as Ids from "./Ids.ts"
/** Instants from outside: strict RFC 3339 within a sane window. */
export * as Instant from "./Instant.ts"
/** The unit a per-address limit counts: an IPv4 address or an IPv6 /64. */
export * as AddressBucket from "./limits/AddressBucket.ts"
/** Port: the atomic, expiring counters behind every limit (memory, Redis, DynamoDB). */
export * as LimitStore from "./limits/LimitStore.ts"
/** A sliding-window request rate limit over the `LimitStore`. */
export * as RateLimit from "./limits/RateLimit.ts"
/** The plan's per-minute API rate limit, per customer. */
export * as TierLimit from "./limits/TierLimit.ts"
/** Currencies and their minor units. */
export * as Currency from "./money/Currency.ts"
/** Exact decimals for prices, rates and quantities. */
export * as Decimal from "./money/Decimal.ts"
/** Money in minor units, the one rounding function, allocation. */
export * as Money from "./money/Money.ts"
/** The e-mail of an issued credit note (its PDF attached on delivery). */
export * as CreditNoteMail from "./notifications/CreditNoteMail.ts"
/** Delivery of the transactional outbox: after commit, retried with backoff, at least once. */
export * as Delivery from "./notifications/Delivery.ts"
/** The e-mails about an invoice (issued, overdue). */
export * as InvoiceMail from "./notifications/InvoiceMail.ts"
/** Sending an invoice's e-mail again on request, limited per invoice and hour, audited. */
export * as InvoiceResend from "./notifications/InvoiceResend.ts"
/** A notification's attachments (the invoice PDF), made when it is delivered. */
export * as MailAttachments from "./notifications/MailAttachments.ts"
/** The mail port. */
export * as Mailer from "./notifications/Mailer.ts"
/** Notifications (queued e-mails). */
export * as Notification from "./notifications/Notification.ts"
/** The transactional outbox port. */
export * as Outbox from "./notifications/Outbox.ts"
/** The e-mail of a failed payment the provider reported. */
export * as PaymentFailedMail from "./notifications/PaymentFailedMail.ts"
/** Refunds held for a payment never linked: its invoice looked up at the provider, with backoff. */
export * as LookUpHeldRefunds from "./payments/LookUpHeldRefunds.ts"
/** How the deployment collects payments: queue and deliver invoice pushes (manual by default). */
export * as PaymentCollection from "./payments/PaymentCollection.ts"
/** Port: the order of the provider's customer events (the newest details kept). */
export * as PaymentCustomerDetails from "./payments/PaymentCustomerDetails.ts"
/** Verified payment provider events and the webhook verifier port. */
export * as PaymentEvent from "./payments/PaymentEvent.ts"
/** Port: which provider payment paid which of our invoices (always beside the credit notes). */
export * as PaymentLinks from "./payments/PaymentLinks.ts"
/** Port: the payment provider (manual, Stripe): customers and invoices pushed for collection. */
export * as PaymentProvider from "./payments/PaymentProvider.ts"
/** Port: the outbox of invoice pushes to the payment provider. */
export * as PaymentPushes from "./payments/PaymentPushes.ts"
/** Port: provider ids, processed webhook events and payment attempts. */
export * as PaymentRecords from "./payments/PaymentRecords.ts"
/** Which provider refunds were credited (always beside the credit notes). */
export * as PaymentRefunds from "./payments/PaymentRefunds.ts"
/** Port: the provider's subscriptions of our customers, newest state kept. */
export * as PaymentSubscriptions from "./payments/PaymentSubscriptions.ts"
/** Port: refund events waiting for the link of their payment (always beside the credit notes). */
export * as PendingRefunds from "./payments/PendingRefunds.ts"
/** A provider's customer and subscription events: billing details, plan change, close. */
export * as ProcessCustomerEvent from "./payments/ProcessCustomerEvent.ts"
/** A verified provider event's effect, exactly once, never undoing a newer state. */
export * as ProcessPaymentEvent from "./payments/ProcessPaymentEvent.ts"
/** Delivery of the push outbox to the payment provider. */
export * as PushDelivery from "./payments/PushDelivery.ts"
/** Typed failures of every repository port. */
export * as PersistenceError from "./persistence/PersistenceError.ts"
/** Support tickets and their response targets. */
export * as SupportTicket from "./support/SupportTicket.ts"
/** Port: support ticket storage. */
export * as SupportTicketRepo from "./support/SupportTicketRepo.ts"
/** The operator's side of support tickets: details, replies, lifecycle (audited). */
export * as TicketAdmin from "./support/TicketAdmin.ts"
/** The customer's side of a ticket's conversation: read the replies, reply (audited). */
export * as TicketReply from "./support/TicketReply.ts"
/** Free text PostgreSQL stores unchanged: no NUL, no lone surrogate, controls by kind of field. */
export * as Text from "./Text.ts"
/** Tenancy: run an effect as a customer, in one transaction. */
export * as Tenancy from "./tenancy/Tenancy.ts"
/** Billable metrics and their aggregation kinds. */
export * as Metric from "./usage/Metric.ts"
/** Usage events and their aggregation. */
export * as Usage from "./usage/Usage.ts"
/** The usage event repository port. */
export * as UsageEventRepo from "./usage/UsageEventRepo.ts"
/** Voiding a usage event: kept, marked, audited, left out of every bill. */
export * as UsageVoid from "./usage/UsageVoid.ts"
