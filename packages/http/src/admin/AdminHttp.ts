/** The handlers of the `admin` group. */
import { Operator } from "@securebase/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { CurrentOperator } from "./OperatorAuthentication.ts"

/** The handlers of the `admin` group. */
export const layer = HttpApiBuilder.group(Api, "admin", (handlers) =>
  Effect.succeed(
    handlers.handle("operator", () =>
      Effect.gen(function* () {
        const operator = yield* CurrentOperator
        return {
          operatorId: operator.operatorId,
          name: operator.name,
          scopes: operator.scopes,
          actor: Operator.actorOf(operator.operatorId)
        }
      })
    )
  )
)
