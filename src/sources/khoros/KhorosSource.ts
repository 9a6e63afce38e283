import { Effect, Either, Ref, Schema, Stream } from "effect"
import type { HttpRequestError } from "../../http/HttpRequestError.js"
import type { SourceItem } from "../SourceRecord.js"
import { documentedCaseFields } from "./KhorosCase.js"
import { type FoundCase, KhorosClient, type MalformedCase } from "./KhorosClient.js"
import type { KhorosObjectMeta } from "./KhorosMeta.js"

/**
 * What one read of the CRM found, customer by customer: how many distinct customers were
 * asked for, how many had cases, had none, or are unknown to the CRM (404 — reported, never
 * fatal), and how many cases came out as records or as unreadable items.
 */
export const KhorosReadSummary = Schema.Struct({
  customers: Schema.Int,
  customersWithCases: Schema.Int,
  customersWithoutCases: Schema.Int,
  customersUnknown: Schema.Int,
  /** The ids the CRM answered 404 for, in the order they were asked. */
  unknownCustomerIds: Schema.Array(Schema.String),
  /** Customer ids listed more than once; each customer is read once. */
  repeatedCustomerIds: Schema.Int,
  cases: Schema.Int,
  casesUnreadable: Schema.Int,
  /** Cases the CRM returned under more than one customer; each case is emitted once. */
  repeatedCases: Schema.Int
})
export type KhorosReadSummary = typeof KhorosReadSummary.Type

/** A summary before anything was read. */
export const emptyKhorosReadSummary: KhorosReadSummary = {
  customers: 0,
  customersWithCases: 0,
  customersWithoutCases: 0,
  customersUnknown: 0,
  unknownCustomerIds: [],
  repeatedCustomerIds: 0,
  cases: 0,
  casesUnreadable: 0,
  repeatedCases: 0
}

/** How to read the CRM. */
export interface KhorosReadOptions {
  /** Customers fetched at once (default 4); the shared policy's own limits still apply on top. */
  readonly concurrency?: number
}

/**
 * A read of the CRM: the stream of every case of every customer, and its summary, which is
 * complete once the stream has ended (each run of `items` starts the summary afresh).
 */
export interface KhorosRead<E, R> {
  readonly items: Stream.Stream<SourceItem, E | HttpRequestError, R | KhorosClient>
  readonly summary: Effect.Effect<KhorosReadSummary>
}

/**
 * Reads every case of every listed customer as source items (location: customer and case id;
 * data: the case object with its custom properties). Customers are fetched with bounded
 * concurrency and emitted in list order; an unknown customer (404) is counted, not fatal; a
 * malformed case becomes an `Unreadable` item; any other request failure (after the shared
 * policy's retries) fails the stream.
 */
export const readKhoros = <E, R>(
  customerIds: Stream.Stream<string, E, R>,
  options: KhorosReadOptions = {}
): Effect.Effect<KhorosRead<E, R>> =>
  Effect.gen(function*() {
    const summary = yield* Ref.make(emptyKhorosReadSummary)
    const count = (f: (s: KhorosReadSummary) => Partial<KhorosReadSummary>) =>
      Ref.update(summary, (s) => ({ ...s, ...f(s) }))

    const fetchCustomer = (customerId: string) =>
      Effect.flatMap(KhorosClient, (client) => client.findCases(customerId)).pipe(
        Effect.tap((found) =>
          count((s) =>
            found.length === 0
              ? { customers: s.customers + 1, customersWithoutCases: s.customersWithoutCases + 1 }
              : { customers: s.customers + 1, customersWithCases: s.customersWithCases + 1 }
          )
        ),
        Effect.catchTag("NotFound", () =>
          count((s) => ({
            customers: s.customers + 1,
            customersUnknown: s.customersUnknown + 1,
            unknownCustomerIds: [...s.unknownCustomerIds, customerId]
          })).pipe(Effect.as<ReadonlyArray<FoundCase>>([]))
        ),
        Effect.map((found) => ({ customerId, found }))
      )

    const items = Stream.unwrap(Effect.gen(function*() {
      yield* Ref.set(summary, emptyKhorosReadSummary)
      const seenCustomers = new Set<string>()
      const seenCases = new Set<string>()
      return customerIds.pipe(
        Stream.filterEffect((id) => {
          if (seenCustomers.has(id)) {
            return count((s) => ({ repeatedCustomerIds: s.repeatedCustomerIds + 1 })).pipe(Effect.as(false))
          }
          seenCustomers.add(id)
          return Effect.succeed(true)
        }),
        Stream.mapEffect(fetchCustomer, { concurrency: options.concurrency ?? 4 }),
        // Sequential from here on, so the case bookkeeping needs no coordination.
        Stream.mapConcatEffect(({ customerId, found }) =>
          Effect.gen(function*() {
            const out: Array<SourceItem> = []
            for (const entry of found) {
              if (Either.isLeft(entry)) {
                yield* count((s) => ({ casesUnreadable: s.casesUnreadable + 1 }))
                out.push(unreadableCase(customerId, entry.left))
              } else if (seenCases.has(entry.right.id)) {
                yield* count((s) => ({ repeatedCases: s.repeatedCases + 1 }))
              } else {
                seenCases.add(entry.right.id)
                yield* count((s) => ({ cases: s.cases + 1 }))
                out.push({
                  _tag: "Record",
                  location: { _tag: "khoros", customerId, caseId: entry.right.id },
                  data: entry.right
                })
              }
            }
            return out
          })
        )
      )
    })).pipe(Stream.withSpan("KhorosSource.readKhoros"))

    return { items, summary: Ref.get(summary) }
  })

/** The CRM's source field names a mapping may refer to: the documented case fields and the custom ones in `caseMeta`. */
export const knownCaseFields = (caseMeta: KhorosObjectMeta): ReadonlyArray<string> => [
  ...documentedCaseFields,
  ...caseMeta.fields.map((field) => field.name).filter((name) => !(documentedCaseFields as ReadonlyArray<string>).includes(name))
]

/** Asks the CRM for `/meta/object/case` and lists every source field name a mapping may refer to (for coverage checks). */
export const fetchKnownCaseFields: Effect.Effect<ReadonlyArray<string>, HttpRequestError, KhorosClient> = Effect.flatMap(
  KhorosClient,
  (client) => Effect.map(client.getMeta("case"), knownCaseFields)
).pipe(Effect.withSpan("KhorosSource.fetchKnownCaseFields"))

// == helpers

const unreadableCase = (customerId: string, malformed: MalformedCase): SourceItem => ({
  _tag: "Unreadable",
  location: { _tag: "khoros", customerId, caseId: malformed.caseId ?? `#${malformed.index + 1}` },
  reason: `not a valid CRM case: ${malformed.issues.map((i) => `${i.path || "(case)"} ${i.message}`).join("; ")}`,
  raw: JSON.stringify(malformed.raw)
})
