/**
 * The DynamoDB client every DynamoDB adapter of a process shares: built once from the
 * configuration (the AWS SDK reads region and credentials from its own environment; `endpoint`
 * overrides the service endpoint, for DynamoDB Local or dynalite) and destroyed with its scope.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { Context, Effect, Layer } from "effect"

/** The process's DynamoDB client. */
export class DynamoClient extends Context.Service<DynamoClient, DynamoDBClient>()(
  "@securebase/adapters/dynamodb/DynamoClient"
) {
  /** A client for `endpoint` (default: the AWS endpoint of the SDK's region), released with the layer. */
  static readonly layer = (options: { readonly endpoint?: string | undefined } = {}) =>
    Layer.effect(
      DynamoClient,
      Effect.acquireRelease(
        Effect.sync(() =>
          options.endpoint === undefined
            ? new DynamoDBClient({})
            : new DynamoDBClient({ endpoint: options.endpoint })
        ),
        (client) => Effect.sync(() => client.destroy())
      )
    )
}
