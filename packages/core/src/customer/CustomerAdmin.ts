/**
 * The operator's customer operations: create (with the customer's first API key), update in place,
 * suspend, reactivate and close. Each runs as the customer (`Tenancy.runAs`, so row-level security
 * applies) in one transaction that also appends its audit event (`customer.created`,
 * `customer.updated`, `customer.suspended`, `customer.reactivated`, `customer.closed`); the
 * database records the fiber's principal (`operator:<id>`) as the actor.
 *
 * Suspending or closing stops the customer's keys and sessions at once: every tenant transaction
 * checks the customer's status in PostgreSQL (`app_enter_tenant`), and the caches are evicted
 * after the commit (`Authenticator.cutOffCustomer`).
 *
 * Status moves: active → suspended → active (reactivate); active or suspended → closed, for good.
 */
import { DateTime, Effect, Schema } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import * as ApiKey from "../auth/ApiKey.ts"
import { Authenticator } from "../auth/Authenticator.ts"
import * as Period from "../billing/Period.ts"
import type { PlanCode } from "../billing/PriceBook.ts"
import * as PriceBook from "../billing/PriceBook.ts"
import * as Pricing from "../billing/Pricing.ts"
import * as Proration from "../billing/Proration.ts"
import type { CustomerId } from "../Ids.ts"
import type { Currency } from "../money/Currency.ts"
import * as Money from "../money/Money.ts"
import { randomUuid } from "../notifications/Notification.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import { type BillingAddress, Customer, type CustomerStatus } from "./Customer.ts"
import { type CustomerPatch, CustomerRepo } from "./CustomerRepo.ts"

/** What an operator gives to create a customer. */
export interface NewCustomer {
  readonly id: CustomerId
  readonly name: string
  readonly email: string
  readonly plan: PlanCode
  readonly currency?: Currency | undefined
  readonly taxProfile?: Customer["taxProfile"] | undefined
  readonly netDays?: number | undefined
  readonly billingAddress?: BillingAddress | undefined
  readonly taxId?: string | undefined
}

/** A status change the customer's current status does not allow (closing a closed customer, …). */
export class CustomerStatusConflict extends Schema.TaggedError<CustomerStatusConflict>()(
  "CustomerStatusConflict",
  { customerId: Schema.String, status: Schema.String, action: Schema.String }
) {
  /** Stable error code. */
  readonly code = "CUSTOMER.STATUS_CONFLICT"
  override get message(): string {
    return `cannot ${this.action} a customer that is ${this.status}`
  }
}

const encodeAddress = Schema.encodeSync(Customer.fields.billingAddress)
const encodeTaxProfile = Schema.encodeSync(Customer.fields.taxProfile)

const audit = (customerId: CustomerId, action: string, payload: Record<string, unknown>) =>
  AuditLog.use((log) =>
    log.append(
      new NewAuditEvent({
        customerId,
        action: action as AuditAction,
        subjectType: "customer",
        subjectId: customerId,
        payload: payload as never
      })
    )
  )

/** The audited view of a customer's editable fields. */
const editable = (c: Customer) => ({
  name: c.name,
  email: c.email,
  taxProfile: encodeTaxProfile(c.taxProfile),
  netDays: c.netDays,
  billingAddress: c.billingAddress === undefined ? null : encodeAddress(c.billingAddress),
  taxId: c.taxId ?? null
})

/**
 * Creates an active customer and its first API key (every tenant scope; the plaintext is shown
 * once), audited as `customer.created` and `api_key.created`, in one transaction. Its plan must be
 * a plan of the pricing policy's books (`UnknownPlan` otherwise).
 */
export const create = Effect.fn("CustomerAdmin.create")(function* (input: NewCustomer) {
  yield* Pricing.entitlements(yield* Pricing.Pricing, input.plan)
  const tenancy = yield* Tenancy
  const auth = yield* Authenticator
  const repo = yield* CustomerRepo
  return yield* tenancy.runAs(
    input.id,
    Effect.gen(function* () {
      const customer = yield* repo.insert(
        new Customer({
          id: input.id,
          name: input.name,
          email: input.email,
          plan: input.plan,
          status: "active",
          taxProfile: input.taxProfile ?? {},
          netDays: input.netDays ?? 30,
          ...(input.currency === undefined ? {} : { currency: input.currency }),
          ...(input.billingAddress === undefined ? {} : { billingAddress: input.billingAddress }),
          ...(input.taxId === undefined ? {} : { taxId: input.taxId })
        })
      )
      yield* audit(customer.id, "customer.created", {
        ...editable(customer),
        plan: customer.plan,
        currency: customer.currency
      })
      const key = yield* auth.createKey({
        customerId: customer.id,
        name: "First key",
        scopes: ApiKey.allScopes
      })
      return { customer, key }
    })
  )
})

/** The customer, as its own tenant context sees it. */
export const find = Effect.fn("CustomerAdmin.find")(function* (id: CustomerId) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(
    id,
    CustomerRepo.use((r) => r.findById(id))
  )
})

/**
 * `update` in the caller's transaction (a tenant's, or a worker's for a change the payment
 * provider reports), audited as `action` with the fields before and after (nothing when none
 * changed).
 */
export const applyUpdate = Effect.fn("CustomerAdmin.applyUpdate")(function* (
  id: CustomerId,
  patch: CustomerPatch,
  action = "customer.updated"
) {
  const repo = yield* CustomerRepo
  const before = yield* repo.findById(id)
  const after = yield* repo.update(id, patch)
  const [b, a] = [editable(before), editable(after)]
  const changed = (Object.keys(a) as Array<keyof typeof a>).filter(
    (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])
  )
  if (changed.length > 0) {
    yield* audit(id, action, {
      before: Object.fromEntries(changed.map((k) => [k, b[k]])),
      after: Object.fromEntries(changed.map((k) => [k, a[k]]))
    })
  }
  return after
})

/** Changes the fields of `patch`, audited as `customer.updated` with the fields before and after. */
export const update = Effect.fn("CustomerAdmin.update")(function* (id: CustomerId, patch: CustomerPatch) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(id, applyUpdate(id, patch))
})

const moves: Record<
  "suspend" | "reactivate" | "close",
  { readonly from: ReadonlyArray<CustomerStatus>; readonly to: CustomerStatus; readonly action: string }
> = {
  suspend: { from: ["active"], to: "suspended", action: "customer.suspended" },
  reactivate: { from: ["suspended"], to: "active", action: "customer.reactivated" },
  close: { from: ["active", "suspended"], to: "closed", action: "customer.closed" }
}

/** A status move: `suspend`, `reactivate` or `close`. */
export type StatusMove = keyof typeof moves

/**
 * `changeStatus` in the caller's transaction, audited as `action` (the move's own,
 * `customer.closed` …, unless given), without the cache eviction: the caller evicts after its
 * commit (`Authenticator.cutOffCustomer`).
 */
export const applyStatusChange = Effect.fn("CustomerAdmin.applyStatusChange")(function* (
  id: CustomerId,
  move: StatusMove,
  reason: string | undefined,
  action?: string
) {
  const repo = yield* CustomerRepo
  const { from, to, action: moveAction } = moves[move]
  const at = yield* DateTime.now
  const before = yield* repo.findById(id)
  if (!from.includes(before.status))
    return yield* new CustomerStatusConflict({ customerId: id, status: before.status, action: move })
  const after = yield* repo.setStatus(id, to, at)
  yield* audit(id, action ?? moveAction, { from: before.status, to, reason: reason ?? null })
  return after
})

/**
 * Moves the customer's status (`suspend`, `reactivate`, `close`), audited with the status before
 * and the reason; then, for suspend and close, evicts its cached keys and sessions.
 */
export const changeStatus = Effect.fn("CustomerAdmin.changeStatus")(function* (
  id: CustomerId,
  move: StatusMove,
  reason: string | undefined
) {
  const tenancy = yield* Tenancy
  const auth = yield* Authenticator
  const changed = yield* tenancy.runAs(id, applyStatusChange(id, move, reason))
  // Committed: the database already refuses the customer's credentials; now the caches forget them.
  if (moves[move].to !== "active") yield* auth.cutOffCustomer(id)
  return changed
})

/** The requested plan is already the customer's, with nothing scheduled. */
export class PlanUnchanged extends Schema.TaggedError<PlanUnchanged>()("PlanUnchanged", {
  customerId: Schema.String,
  plan: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PLAN.UNCHANGED"
  override get message(): string {
    return `the customer is already on the ${this.plan} plan`
  }
}

/** When a plan change takes effect: at once (prorated by day), or at the start of next month. */
export type PlanEffective = "immediately" | "next_period"

/**
 * Changes the customer's plan (a plan code of the book of its currency, `UnknownPlan` otherwise)
 * `immediately` (the month is priced in segments, the flat fees
 * prorated by day, usage on the plan in force when it occurred) or from the `next_period` (the
 * first instant of next month). A later change replaces one still scheduled. Audited as
 * `customer.plan_changed` with, for an immediate change, the credit of the old plan's flat fee
 * and the charge of the new one for the rest of the month (`Proration.adjustment`).
 */
export const changePlan = Effect.fn("CustomerAdmin.changePlan")(function* (
  id: CustomerId,
  plan: PlanCode,
  effective: PlanEffective
) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(id, applyPlanChange(id, plan, effective))
})

/**
 * `changePlan` in the caller's transaction (a tenant's, or a worker's for a change the payment
 * provider reports), audited as `action` (`customer.plan_changed` unless given). Fails with
 * `UnknownPlan` or `PlanUnchanged` before anything is written.
 */
export const applyPlanChange = Effect.fn("CustomerAdmin.applyPlanChange")(function* (
  id: CustomerId,
  plan: PlanCode,
  effective: PlanEffective,
  action = "customer.plan_changed"
) {
  const repo = yield* CustomerRepo
  const policy = yield* Pricing.Pricing
  const now = yield* DateTime.now
  const before = yield* repo.findById(id)
  const scheduled = (before.planChanges ?? []).some((c) => DateTime.isGreaterThan(c.effectiveAt, now))
  if (before.plan === plan && !scheduled) return yield* new PlanUnchanged({ customerId: id, plan })
  // The new plan must be a plan of the book of the customer's currency (`UnknownPlan` before
  // anything is written). The old plan is priced only for an immediate change's proration, so
  // a customer on a plan the book dropped can still be moved from the next period.
  const book = yield* Pricing.bookOf(policy, before)
  const fee = (code: PlanCode) =>
    Effect.map(PriceBook.basePrice(book, code), (price) => Money.round(price, book.currency, book.rounding))
  const newFee = yield* fee(plan)
  const oldFee = effective === "immediately" ? yield* fee(before.plan) : newFee
  const period = Period.ofDateTime(now)
  const effectiveAt = effective === "immediately" ? now : Period.start(Period.next(period))
  const after = yield* repo.changePlan(id, {
    id: yield* randomUuid,
    requestedAt: now,
    effectiveAt,
    from: before.plan,
    to: plan
  })
  const days = Proration.daysIn(period)
  const day = Proration.dayOf(period, now)
  const proration = effective === "immediately" ? Proration.adjustment(oldFee, newFee, days, day) : undefined
  yield* audit(id, action, {
    from: before.plan,
    to: plan,
    effective,
    effectiveAt: DateTime.formatIso(effectiveAt),
    proration:
      proration === undefined
        ? null
        : {
            period,
            days,
            daysUsed: proration.daysUsed,
            credit: proration.credit.minor.toString(),
            charge: proration.charge.minor.toString(),
            currency: book.currency
          }
  })
  return { customer: after, effectiveAt, proration }
})
