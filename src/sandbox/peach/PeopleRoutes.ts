import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { paginate, parsePageRequest } from "./Pagination.js"
import { itemResponse, pathParam, queryParams } from "./PeachHttp.js"
import { personOr404 } from "./PeachLookups.js"
import { PeachState } from "./PeachState.js"

/** `GET /people` (paginated like every list) and `GET /people/{personId}`: the extension casesync needs to find borrowers. */
export const peopleRoutes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/people",
    Effect.gen(function*() {
      const store = yield* Effect.flatMap(PeachState, (s) => s.snapshot)
      const page = yield* parsePageRequest(yield* queryParams)
      const path = (yield* HttpServerRequest.HttpServerRequest).url.split("?")[0]!
      const result = yield* paginate(store.people, (p) => p.id, page, path)
      return HttpServerResponse.unsafeJson({ status: 200, ...result })
    })
  ),
  HttpRouter.get(
    "/people/:personId",
    Effect.gen(function*() {
      const store = yield* Effect.flatMap(PeachState, (s) => s.snapshot)
      return itemResponse("Person", yield* personOr404(store, yield* pathParam("personId")))
    })
  )
)
