import { HttpRouter } from "@effect/platform"
import { Effect } from "effect"
import { pathParam } from "./PeachHttp.js"
import { personOr404 } from "./PeachLookups.js"
import { PeachState } from "./PeachState.js"
import { itemResponse, pageResponse } from "./PeachWire.js"

/** `GET /people` (paginated like every list) and `GET /people/{personId}`: the extension casesync needs to find borrowers. */
export const peopleRoutes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/people",
    Effect.gen(function*() {
      const store = yield* Effect.flatMap(PeachState, (s) => s.snapshot)
      return yield* pageResponse("person", store.people, (p) => p.id)
    })
  ),
  HttpRouter.get(
    "/people/:personId",
    Effect.gen(function*() {
      const store = yield* Effect.flatMap(PeachState, (s) => s.snapshot)
      return yield* itemResponse("Person", "person", yield* personOr404(store, yield* pathParam("personId")))
    })
  )
)
