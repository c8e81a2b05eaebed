/** Session tokens as HS256 JWTs with rotating signing secrets. */
export * as HmacSessionTokens from "./auth/HmacSessionTokens.ts"
/** API key material: random ids and secrets, SHA-256 with constant-time comparison. */
export * as Sha256ApiKeySecrets from "./auth/Sha256ApiKeySecrets.ts"
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
/** The bounded in-memory session cache (the embedded default). */
export * as MemorySessionCache from "./memory/MemorySessionCache.ts"
/** In-memory session deny list. */
export * as MemorySessionRevocations from "./memory/MemorySessionRevocations.ts"
