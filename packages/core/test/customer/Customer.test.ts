/** Which periods a customer is billed for: active always, closed for its closing month and before, suspended never. */
import { assert, describe, it } from "@effect/vitest"
import { Customer, type Ids, type Period } from "@securebase/core"
import { DateTime } from "effect"

const customer = (fields: Partial<ConstructorParameters<typeof Customer.Customer>[0]>) =>
  new Customer.Customer({
    id: "00000000-0000-4000-8000-000000000001" as Ids.CustomerId,
    name: "c",
    email: "c@example.com",
    plan: "standard",
    status: "active",
    taxProfile: {},
    netDays: 30,
    ...fields
  })

describe("Customer.isBilledFor", () => {
  it("bills an active customer, a closed one up to the month it closed in, never a suspended one", () => {
    const closedAt = DateTime.makeUnsafe("2026-11-14T09:30:00Z")
    const closed = customer({ status: "closed", closedAt })
    const p = (s: string) => s as Period.Period
    assert.isTrue(Customer.isBilledFor(customer({}), p("2026-12")))
    assert.isTrue(Customer.isBilledFor(closed, p("2026-10")))
    assert.isTrue(Customer.isBilledFor(closed, p("2026-11")), "the last, partial month")
    assert.isFalse(Customer.isBilledFor(closed, p("2026-12")), "never after")
    assert.isTrue(
      Customer.isBilledFor(
        customer({ status: "closed", closedAt: DateTime.makeUnsafe("2026-12-01T00:00:00Z") }),
        p("2026-12")
      ),
      "closed at the first instant of a month: that month is billed (its usage up to then)"
    )
    assert.isFalse(
      Customer.isBilledFor(customer({ status: "closed" }), p("2026-11")),
      "closed before closing times were kept"
    )
    assert.isFalse(Customer.isBilledFor(customer({ status: "suspended" }), p("2026-11")))
  })
})
