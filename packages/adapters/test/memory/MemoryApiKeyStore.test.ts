import { describe } from "@effect/vitest"
import { MemoryApiKeyStore } from "../../src/index.ts"
import { apiKeyStoreContract } from "../auth/ApiKeyStoreContract.ts"

describe("MemoryApiKeyStore: the ApiKeyStore contract", () => {
  apiKeyStoreContract(MemoryApiKeyStore.layer)
})
