/** Customers made for a test through the app's own services (tenancy, repositories, authenticator). */
import { Authenticator, Customer, CustomerRepo, type Ids, type PriceBook, Tenancy } from "@securebase/core"
import { Effect, Redacted } from "effect"

/** A new active customer of `plan` with `keys` API keys (plaintexts, shown once). */
export const customerWithKeys = (options: {
  readonly plan: PriceBook.PlanCode
  readonly keys: number
  readonly label: string
}) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const auth = yield* Authenticator.Authenticator
    const customer = new Customer.Customer({
      id: globalThis.crypto.randomUUID() as Ids.CustomerId,
      name: options.label,
      email: "limits@example.com",
      plan: options.plan,
      status: "active",
      taxProfile: {},
      netDays: 30
    })
    yield* tenancy.runAs(
      customer.id,
      CustomerRepo.CustomerRepo.use((r) => r.insert(customer))
    )
    const keys: Array<string> = []
    for (let i = 0; i < options.keys; i++) {
      const created = yield* auth.createKey({
        customerId: customer.id,
        name: `${options.label} ${i}`,
        scopes: ["api_keys:read"]
      })
      keys.push(Redacted.value(created.plaintext))
    }
    return { customer, keys }
  }).pipe(Effect.orDie)
