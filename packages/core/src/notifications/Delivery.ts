/**
 * Delivery of the transactional outbox. Each notification is sent in its own worker transaction:
 *
 * 1. `Outbox.claimNext` locks one due pending row (`FOR UPDATE SKIP LOCKED`): concurrent
 *    senders never hold the same row, so they never send it twice;
 * 2. its attachments are made (`MailAttachments`: the invoice PDF, drawn from the invoice as it
 *    stands) and the `Mailer` sends it (both bounded by a timeout);
 * 3. the row is marked sent (or rescheduled with backoff, or parked as failed) and the
 *    transaction commits, releasing the lock.
 *
 * The guarantee is at-least-once. A crash between the provider accepting the message and the
 * commit (a window of one round trip) rolls the row back to pending and it is sent again later;
 * SES has no idempotency key for SendEmail, so that window cannot be closed from here. The
 * notification id travels with every attempt (a message header / tag, the outbox file's name)
 * so a duplicate is recognisable downstream. Nothing is lost: a failed send stays pending with
 * its error and a later due time, and after `maxAttempts` it is parked as `failed`, still in the
 * table, for a person to re-queue.
 */
import { DateTime, Duration, Effect, Option, Result } from "effect"
import type { AuditAction, WorkerAction } from "../audit/AuditEvent.ts"
import { NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import { CurrentPrincipal, type Principal, Tenancy } from "../tenancy/Tenancy.ts"
import { MailAttachments } from "./MailAttachments.ts"
import { MailError, Mailer } from "./Mailer.ts"
import { Outbox } from "./Outbox.ts"

/** Who the sender's audit events name as the actor. */
export const outboxWorker: Principal = { actor: "worker:outbox" }

/** Exponential backoff between attempts, and when to give up. */
export interface RetrySchedule {
  /** Wait after the first failed attempt. */
  readonly base: Duration.Input
  /** Each further failure multiplies the wait by this. */
  readonly factor: number
  /** The longest wait. */
  readonly cap: Duration.Input
  /** Attempts before a notification is parked as failed. */
  readonly maxAttempts: number
  /** The longest a single send may take before it counts as a (retryable) failure. */
  readonly sendTimeout: Duration.Input
}

/** 1 min, 2 min, 4 min, … capped at 6 h; 12 attempts (about a day and a half). */
export const defaultRetrySchedule: RetrySchedule = {
  base: "1 minute",
  factor: 2,
  cap: "6 hours",
  maxAttempts: 12,
  sendTimeout: "30 seconds"
}

/** The wait after the `attempts`-th failed attempt (1 for the first failure). */
export const backoff = (policy: RetrySchedule, attempts: number): Duration.Duration => {
  const base = Duration.toMillis(Duration.fromInputUnsafe(policy.base))
  const cap = Duration.toMillis(Duration.fromInputUnsafe(policy.cap))
  return Duration.millis(Math.min(cap, base * policy.factor ** Math.max(0, attempts - 1)))
}

/** What one pass of the sender did. */
export interface DeliveryReport {
  readonly sent: number
  readonly retried: number
  readonly failed: number
}

type Outcome = "none" | "sent" | "retried" | "failed"

const deliverOne = (policy: RetrySchedule) =>
  Effect.gen(function* () {
    const outbox = yield* Outbox
    const mailer = yield* Mailer
    const audit = yield* AuditLog
    const now = yield* DateTime.now
    const claimed = yield* outbox.claimNext(now)
    if (Option.isNone(claimed)) return "none" as Outcome
    const n = claimed.value
    const attach = yield* MailAttachments
    const result = yield* attach(n)
      .pipe(
        Effect.flatMap((attachments) =>
          mailer.send({
            id: n.id,
            to: n.recipient,
            subject: n.subject,
            text: n.text,
            html: n.html,
            attachments,
            tags: n.data
          })
        )
      )
      .pipe(
        Effect.timeoutOrElse({
          duration: policy.sendTimeout,
          orElse: () => Effect.fail(new MailError({ reason: "timed out", retryable: true }))
        }),
        Effect.result
      )
    const at = yield* DateTime.now
    if (Result.isSuccess(result)) {
      yield* outbox.markSent(n.id, { at, providerId: result.success })
      yield* audit.append(
        new NewAuditEvent({
          customerId: n.customerId,
          action: "notification.sent" satisfies WorkerAction as AuditAction,
          subjectType: "notification",
          subjectId: n.id,
          payload: { template: n.template, recipient: n.recipient, providerId: result.success, ...n.data }
        })
      )
      return "sent" as Outcome
    }
    const attempts = n.attempts + 1
    if (!result.failure.retryable || attempts >= policy.maxAttempts) {
      yield* outbox.markFailed(n.id, result.failure.reason)
      return "failed" as Outcome
    }
    yield* outbox.reschedule(n.id, {
      error: result.failure.reason,
      nextAttemptAt: DateTime.addDuration(at, backoff(policy, attempts))
    })
    return "retried" as Outcome
  })

/**
 * Sends every notification due now, each in its own worker transaction, with `concurrency`
 * senders; returns when none is due (rescheduled ones wait for a later pass).
 */
export const deliverDue = Effect.fn("Delivery.deliverDue")(function* (
  options: { readonly policy?: RetrySchedule; readonly concurrency?: number } = {}
) {
  const tenancy = yield* Tenancy
  const policy = options.policy ?? defaultRetrySchedule
  const counts = { sent: 0, retried: 0, failed: 0 }
  const sender = Effect.gen(function* () {
    while (true) {
      const outcome = yield* tenancy
        .runAsWorker(deliverOne(policy))
        .pipe(Effect.provideService(CurrentPrincipal, outboxWorker))
      if (outcome === "none") return
      counts[outcome]++
    }
  })
  yield* Effect.all(
    Array.from({ length: options.concurrency ?? 1 }, () => sender),
    {
      concurrency: "unbounded",
      discard: true
    }
  )
  return counts as DeliveryReport
})

/** What a pass left undelivered, and the outbox's backlog after it. */
export interface Undelivered {
  /** Queued and not sent: waiting for a retry, or not due yet (the whole outbox, not just this pass). */
  readonly queued: number
  /** Parked as failed by this pass (they will not be retried without a person). */
  readonly parkedNow: number
  /** Parked as failed in the whole outbox, this pass's included. */
  readonly parkedTotal: number
  /** Mail that could not be delivered: `queued + parkedNow`. Zero means everything queued went out. */
  readonly count: number
}

/** After a pass (`report`), what is still undelivered, read from the outbox in a worker transaction. */
export const undelivered = Effect.fn("Delivery.undelivered")(function* (report: DeliveryReport) {
  const tenancy = yield* Tenancy
  const counts = yield* tenancy.runAsWorker(Outbox.use((o) => o.counts))
  return {
    queued: counts.pending,
    parkedNow: report.failed,
    parkedTotal: counts.failed,
    count: counts.pending + report.failed
  } satisfies Undelivered
})
