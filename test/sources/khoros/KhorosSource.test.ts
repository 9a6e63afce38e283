import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Layer, Stream, TestClock } from "effect"
import cases from "../../../samples/khoros/cases.json" with { type: "json" }
import people from "../../../samples/peach/people.json" with { type: "json" }
import { NotFound, Unauthorized } from "../../../src/http/HttpRequestError.js"
import type { KhorosCase } from "../../../src/sources/khoros/KhorosCase.js"
import { KhorosClient, layerKhorosClient, makeKhorosPolicy } from "../../../src/sources/khoros/KhorosClient.js"
import { customerIdsFromBorrowers, customerIdsFromList } from "../../../src/sources/khoros/KhorosCustomers.js"
import { fetchKnownCaseFields, readKhoros } from "../../../src/sources/khoros/KhorosSource.js"
import type { SourceItem } from "../../../src/sources/SourceRecord.js"
import { sandboxApiKey, useSandbox } from "../../sandbox/khoros/KhorosSandbox.js"
import { sourceContract } from "../SourceContract.js"

const sandbox = useSandbox()

const sandboxClient = (apiKey = sandboxApiKey) =>
  Layer.unwrapEffect(
    Effect.sync(() =>
      layerKhorosClient(makeKhorosPolicy({ baseUrl: sandbox.crmUrl, apiKey, maxAttempts: 1 })).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
    )
  )

const sampleCustomerIds = Array.from({ length: 12 }, (_, i) => `BRW-${1001 + i}`)

const collect = <E, R>(stream: Stream.Stream<SourceItem, E, R>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const caseIdsOf = (items: ReadonlyArray<SourceItem>) =>
  items.map((item) => (item.location._tag === "khoros" ? item.location.caseId : ""))

describe("readKhoros against the sandbox CRM", () => {
  it.effect("reads every case of every customer exactly once and accounts for every customer", () =>
    Effect.gen(function*() {
      const ids = [...sampleCustomerIds, "BRW-1059", "BRW-1001"]
      const read = yield* readKhoros(customerIdsFromList(ids), { concurrency: 3 })
      const items = yield* collect(read.items)

      expect(items.every((item) => item._tag === "Record")).toBe(true)
      expect([...caseIdsOf(items)].sort()).toEqual(cases.map((c) => c.id).sort())
      expect(new Set(caseIdsOf(items)).size).toBe(40)
      for (const item of items) {
        const location = item.location
        if (item._tag !== "Record" || location._tag !== "khoros") throw new Error("not a CRM record")
        expect(item.data).toEqual(cases.find((c) => c.id === location.caseId))
        expect(location.customerId).toBe(item.data["customerId"])
      }
      // Customers come out in list order, whatever order their requests finished in.
      const customerOrder = [...new Set(items.map((item) => (item.location as { customerId: string }).customerId))]
      expect(customerOrder).toEqual(sampleCustomerIds.filter((id) => id !== "BRW-1012"))

      expect(yield* read.summary).toEqual({
        customers: 13,
        customersWithCases: 11,
        customersWithoutCases: 1,
        customersUnknown: 1,
        unknownCustomerIds: ["BRW-1059"],
        repeatedCustomerIds: 1,
        cases: 40,
        casesUnreadable: 0,
        repeatedCases: 0
      })
      // The repeated id was not fetched again.
      const stats = yield* sandbox.current.stats.snapshot
      expect(stats.byEndpoint["GET /crm/customer/:id/cases"]?.total).toBe(13)
    }).pipe(Effect.provide(sandboxClient())))

  it.effect("enumerates customers from the target's borrowers: unknown ones are counted, not fatal", () =>
    Effect.gen(function*() {
      const borrowers = Stream.fromIterable([...people, { id: "BO-NOEXT", externalId: null }])
      const read = yield* readKhoros(customerIdsFromBorrowers(borrowers), { concurrency: 8 })
      const items = yield* collect(read.items)
      const summary = yield* read.summary
      expect(items).toHaveLength(40)
      expect(summary).toMatchObject({
        customers: 60,
        customersWithCases: 11,
        customersWithoutCases: 1,
        customersUnknown: 48,
        cases: 40
      })
      expect(summary.unknownCustomerIds).toContain("BRW-1059")
      expect(summary.unknownCustomerIds).not.toContain("BRW-1012")
    }).pipe(Effect.provide(sandboxClient())))

  it.effect("each run of the stream starts its summary afresh", () =>
    Effect.gen(function*() {
      const read = yield* readKhoros(customerIdsFromList(["BRW-1002", "BRW-1059"]))
      const first = yield* collect(read.items)
      const afterFirst = yield* read.summary
      const second = yield* collect(read.items)
      expect(second).toEqual(first)
      expect(yield* read.summary).toEqual(afterFirst)
      expect(afterFirst).toMatchObject({ customers: 2, customersUnknown: 1, cases: 4 })
    }).pipe(Effect.provide(sandboxClient())))

  it.effect("a wrong API key fails the stream with Unauthorized instead of counting customers as unknown", () =>
    Effect.gen(function*() {
      const read = yield* readKhoros(customerIdsFromList(["BRW-1001"]))
      const error = yield* Effect.flip(collect(read.items))
      expect(error._tag).toBe("Unauthorized")
      expect((yield* read.summary).customersUnknown).toBe(0)
    }).pipe(Effect.provide(sandboxClient("not-the-key"))))

  it.effect("lists the CRM's known source fields: documented ones and the custom ones from /meta/object/case", () =>
    Effect.gen(function*() {
      expect(yield* fetchKnownCaseFields).toEqual([
        "id",
        "number",
        "customerId",
        "title",
        "description",
        "url",
        "lastUpdated",
        "created",
        "status",
        "interactions",
        "priority",
        "product",
        "escalated",
        "resolutionNote"
      ])
    }).pipe(Effect.provide(sandboxClient())))
})

sourceContract("Khoros CRM via the sandbox", {
  read: Stream.unwrap(
    Effect.map(readKhoros(customerIdsFromList([...sampleCustomerIds, "BRW-1059"])), (read) => read.items)
  ).pipe(Stream.provideLayer(sandboxClient())),
  expected: { records: 40, unreadable: 0 }
})

// == a scripted client, for what the sandbox cannot produce (malformed cases, timing)

const sampleCase = cases[0] as unknown as KhorosCase

/** A client whose findCases answers from `answers`, each after `delayMillis(customerId)` of TestClock time. */
const scriptedClient = (
  answers: Readonly<Record<string, ReturnType<KhorosClient["Type"]["findCases"]>>>,
  delayMillis: (customerId: string) => number = () => 0,
  track?: { inFlight: number; maxInFlight: number }
) =>
  Layer.succeed(KhorosClient, {
    findCases: (customerId) =>
      Effect.gen(function*() {
        if (track) track.maxInFlight = Math.max(track.maxInFlight, ++track.inFlight)
        yield* Effect.sleep(delayMillis(customerId))
        if (track) track.inFlight--
        return yield* (answers[customerId] ?? Effect.die(`unexpected customer ${customerId}`))
      }),
    lookupCase: () => Effect.die("not used"),
    createCase: () => Effect.die("not used"),
    updateCase: () => Effect.die("not used"),
    getMeta: () => Effect.die("not used")
  })

const notFound = new NotFound({ method: "GET", url: "http://crm/customer/X/cases", attempt: 1, status: 404 })

describe("readKhoros with a scripted client", () => {
  it.effect("a malformed case becomes an Unreadable item with its location, reasons and raw JSON", () =>
    Effect.gen(function*() {
      const read = yield* readKhoros(customerIdsFromList(["C-1"]))
      const items = yield* collect(read.items)
      expect(items.map((item) => item._tag)).toEqual(["Record", "Unreadable", "Unreadable"])
      const [, withId, withoutId] = items
      expect(withId).toMatchObject({ location: { _tag: "khoros", customerId: "C-1", caseId: "KC-BAD" } })
      expect(withId?._tag === "Unreadable" && withId.reason).toContain("status")
      expect(withId?._tag === "Unreadable" && JSON.parse(withId.raw)).toEqual({ id: "KC-BAD", status: "pending" })
      expect(withoutId?.location).toEqual({ _tag: "khoros", customerId: "C-1", caseId: "#3" })
      expect(yield* read.summary).toMatchObject({ customers: 1, customersWithCases: 1, cases: 1, casesUnreadable: 2 })
    }).pipe(
      Effect.provide(scriptedClient({
        "C-1": Effect.succeed([
          Either.right(sampleCase),
          Either.left({
            index: 1,
            caseId: "KC-BAD",
            raw: { id: "KC-BAD", status: "pending" },
            issues: [{ path: "status", message: "Expected \"open\" or \"closed\"" }]
          }),
          Either.left({ index: 2, caseId: undefined, raw: 42, issues: [{ path: "", message: "Expected an object" }] })
        ])
      }))
    ))

  it.effect("a case listed under two customers is emitted once and counted as repeated", () =>
    Effect.gen(function*() {
      const read = yield* readKhoros(customerIdsFromList(["C-1", "C-2"]))
      expect(caseIdsOf(yield* collect(read.items))).toEqual([sampleCase.id])
      expect(yield* read.summary).toMatchObject({ customersWithCases: 2, cases: 1, repeatedCases: 1 })
    }).pipe(
      Effect.provide(scriptedClient({
        "C-1": Effect.succeed([Either.right(sampleCase)]),
        "C-2": Effect.succeed([Either.right(sampleCase)])
      }))
    ))

  it.effect("fetches at most `concurrency` customers at once and still emits them in list order", () =>
    Effect.gen(function*() {
      const track = { inFlight: 0, maxInFlight: 0 }
      const ids = ["A", "B", "C", "D", "E", "F"]
      const answers = Object.fromEntries(
        ids.map((id) => [id, Effect.succeed([Either.right({ ...sampleCase, id: `case-${id}` })])])
      )
      // The first customer is the slowest, so finishing order differs from list order.
      const delays: Record<string, number> = { A: 50, B: 10, C: 20, D: 10, E: 30, F: 10 }
      const program = Effect.gen(function*() {
        const read = yield* readKhoros(customerIdsFromList(ids), { concurrency: 2 })
        return yield* collect(read.items)
      }).pipe(Effect.provide(scriptedClient(answers, (id) => delays[id]!, track)))
      const fiber = yield* Effect.fork(program)
      for (let i = 0; i < 20; i++) yield* TestClock.adjust(10)
      const items = yield* fiber
      expect(caseIdsOf(items)).toEqual(ids.map((id) => `case-${id}`))
      expect(track.maxInFlight).toBe(2)
    }))

  it.effect("any failure other than 404 ends the stream with that error", () =>
    Effect.gen(function*() {
      const read = yield* readKhoros(customerIdsFromList(["C-404", "C-401"]))
      const error = yield* Effect.flip(collect(read.items))
      expect(error._tag).toBe("Unauthorized")
    }).pipe(
      Effect.provide(scriptedClient({
        "C-404": Effect.fail(notFound),
        "C-401": Effect.fail(new Unauthorized({ method: "GET", url: "http://crm", attempt: 1, status: 401 }))
      }))
    ))
})
