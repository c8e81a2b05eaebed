import { describe } from "@effect/vitest"
import { MemorySessionRevocations } from "../../src/index.ts"
import { sessionRevocationsContract } from "../auth/SessionRevocationsContract.ts"

describe("MemorySessionRevocations: the SessionRevocations contract", () => {
  sessionRevocationsContract(MemorySessionRevocations.layer)
})
