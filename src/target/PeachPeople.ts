import { Effect, Option, Stream } from "effect"
import { extId, ItemEnvelope, Person } from "../domain/peach/index.js"
import type { HttpRequestError } from "../http/HttpRequestError.js"
import type { JsonApiClient } from "../http/JsonApiClient.js"
import { followCursor, type PageOptions } from "./CursorPages.js"
import { personPath } from "./PeachPaths.js"

/** Borrower endpoints (an extension the sandbox and casesync agree on; not in the seeds). */
export interface PeachPeopleOperations {
  /** `GET /people`: every borrower, in the server's order. */
  readonly listPeople: (options?: PageOptions) => Stream.Stream<Person, HttpRequestError>
  /** `GET /people/{personId}`; the id may be `ext-<externalId>`. */
  readonly getPerson: (personId: string) => Effect.Effect<Person, HttpRequestError>
  /** `GET /people/ext-<externalId>`: the borrower a lender knows by that id, or none. */
  readonly findPersonByExternalId: (externalId: string) => Effect.Effect<Option.Option<Person>, HttpRequestError>
}

const PersonItem = ItemEnvelope(Person)

/** Implements the borrower endpoints on a client bound to the Peach API. */
export const makePeachPeopleOperations = (api: JsonApiClient, defaultPageSize: number): PeachPeopleOperations => ({
  listPeople: (options = {}) =>
    followCursor(
      api,
      { path: "/people", item: Person, idOf: (p) => p.id },
      options.pageSize ?? defaultPageSize,
      options.startingAfter
    ).pipe(Stream.withSpan("PeachClient.listPeople")),

  getPerson: Effect.fn("PeachClient.getPerson")(function*(personId: string) {
    const item = yield* api.json({ method: "GET", path: personPath(personId) }, PersonItem)
    return item.data
  }),

  findPersonByExternalId: Effect.fn("PeachClient.findPersonByExternalId")(function*(externalId: string) {
    return yield* api.json({ method: "GET", path: personPath(extId(externalId)) }, PersonItem).pipe(
      Effect.map((item) => Option.some(item.data)),
      Effect.catchTag("NotFound", () => Effect.succeedNone)
    )
  })
})
