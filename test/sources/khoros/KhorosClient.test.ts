import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Layer, TestClock } from "effect"
import nock from "nock"
import { awaitSleepUntil, useNock } from "../../http/NockTestKit.js"
import cases from "../../../samples/khoros/cases.json" with { type: "json" }
import metaCase from "../../../samples/khoros/meta-case.json" with { type: "json" }
import { KhorosClient, layerKhorosClient, makeKhorosPolicy } from "../../../src/sources/khoros/KhorosClient.js"
import type { KhorosConnection } from "../../../src/sources/khoros/KhorosClient.js"
import { customCaseProperties } from "../../../src/sources/khoros/KhorosCase.js"

useNock()

const crm = "http://crm.casesync.test"

const clientLayer = (overrides: Partial<KhorosConnection> = {}) =>
  layerKhorosClient(
    makeKhorosPolicy({ baseUrl: crm, apiKey: "secret-key", maxAttempts: 3, backoffBaseMillis: 100, ...overrides })
  ).pipe(Layer.provide(FetchHttpClient.layer))

const client = KhorosClient

/** A case with every timestamp form the CRM may send. */
const caseWithOffsets = {
  id: "KC-1",
  number: "1",
  customerId: "BRW-1001",
  title: "Payment not reflected",
  description: "Paid by transfer.",
  url: "https://crm.example.test/cases/KC-1",
  lastUpdated: "2023-10-04T09:05:00.123456+05:30",
  created: "2023-07-08T07:30:00.123456-07:00",
  status: "open",
  interactions: [
    {
      created: "2023-07-08T07:30:00.5Z",
      body: "Hello",
      linkUrl: "https://twitter.example.test/1",
      serviceId: "tw-1",
      service: "twitter",
      contentType: "tweet",
      author: { service: "twitter", serviceId: "u-1", handle: "@grace", name: "Grace", brandOwned: false }
    }
  ],
  priority: "high",
  product: "mortgage",
  escalated: true
}

describe("KhorosClient.findCases", () => {
  it.effect("sends the API key, keeps custom case properties and every timestamp exactly as sent", () =>
    Effect.gen(function*() {
      nock(crm, { reqheaders: { "x-api-key": "secret-key" } })
        .get("/customer/BRW-1001/cases")
        .reply(200, [caseWithOffsets])
      const found = yield* (yield* client).findCases("BRW-1001")
      expect(found).toHaveLength(1)
      const kase = Either.getOrThrow(found[0]!)
      expect(kase).toEqual(caseWithOffsets)
      expect(kase.created).toBe("2023-07-08T07:30:00.123456-07:00")
      expect(kase.lastUpdated).toBe("2023-10-04T09:05:00.123456+05:30")
      expect(kase.interactions?.[0]?.created).toBe("2023-07-08T07:30:00.5Z")
      expect(customCaseProperties(kase)).toEqual({ priority: "high", product: "mortgage", escalated: true })
    }).pipe(Effect.provide(clientLayer())))

  it.effect("decodes every sample case unchanged, custom properties included", () =>
    Effect.gen(function*() {
      nock(crm).get("/customer/ALL/cases").reply(200, cases)
      const found = yield* (yield* client).findCases("ALL")
      expect(found.map(Either.getOrThrow)).toEqual(cases)
    }).pipe(Effect.provide(clientLayer())))

  it.effect("puts the API key in the header the connection names", () =>
    Effect.gen(function*() {
      nock(crm, { reqheaders: { "x-crm-key": "other-key" }, badheaders: ["x-api-key"] })
        .get("/customer/BRW-1002/cases")
        .reply(200, [])
      expect(yield* (yield* client).findCases("BRW-1002")).toEqual([])
    }).pipe(Effect.provide(clientLayer({ apiKey: "other-key", apiKeyHeader: "X-CRM-KEY" }))))

  it.effect("a malformed case is returned as such, next to the customer's valid cases", () =>
    Effect.gen(function*() {
      const broken = { ...caseWithOffsets, id: "KC-2", status: "pending", title: undefined }
      nock(crm).get("/customer/BRW-1001/cases").reply(200, [caseWithOffsets, broken, "junk"])
      const [good, bad, junk] = yield* (yield* client).findCases("BRW-1001")
      expect(Either.isRight(good!)).toBe(true)
      const malformed = Either.getLeft(bad!).pipe((o) => o._tag === "Some" ? o.value : undefined)
      expect(malformed?.caseId).toBe("KC-2")
      expect(malformed?.index).toBe(1)
      expect(malformed?.issues.map((i) => i.path).sort()).toEqual(["status", "title"])
      const notAnObject = Either.getLeft(junk!).pipe((o) => o._tag === "Some" ? o.value : undefined)
      expect(notAnObject?.caseId).toBeUndefined()
      expect(notAnObject?.raw).toBe("junk")
    }).pipe(Effect.provide(clientLayer())))

  it.effect("an unknown customer is a NotFound carrying the CRM's code and message", () =>
    Effect.gen(function*() {
      nock(crm)
        .get("/customer/BRW-1059/cases")
        .reply(404, { error: "CUSTOMER_NOT_FOUND", message: "No customer exists with the ID BRW-1059" })
      const error = yield* Effect.flip((yield* client).findCases("BRW-1059"))
      expect(error._tag).toBe("NotFound")
      expect(error._tag === "NotFound" && error.serverMessage).toBe(
        "CUSTOMER_NOT_FOUND: No customer exists with the ID BRW-1059"
      )
      expect(error.attempt).toBe(1)
    }).pipe(Effect.provide(clientLayer())))

  it.effect("a customer id is escaped into the path", () =>
    Effect.gen(function*() {
      nock(crm).get("/customer/a%2Fb%20c/cases").reply(200, [])
      expect(yield* (yield* client).findCases("a/b c")).toEqual([])
    }).pipe(Effect.provide(clientLayer())))

  it.effect("a body that is not an array breaks the contract (Decode), it is not an empty customer", () =>
    Effect.gen(function*() {
      nock(crm).get("/customer/BRW-1001/cases").reply(200, { cases: [] })
      const error = yield* Effect.flip((yield* client).findCases("BRW-1001"))
      expect(error._tag).toBe("Decode")
    }).pipe(Effect.provide(clientLayer())))
})

describe("KhorosClient errors", () => {
  it.effect("a 401 is Unauthorized with the CRM's message, and is not retried", () =>
    Effect.gen(function*() {
      const scope = nock(crm)
        .get("/case/KC-1")
        .once()
        .reply(401, { error: "INVALID_API_KEY", message: "API key is invalid or has become de-authenticated" })
      const error = yield* Effect.flip((yield* client).lookupCase("KC-1"))
      expect(error._tag).toBe("Unauthorized")
      expect(error.message).toContain("INVALID_API_KEY: API key is invalid")
      expect(scope.isDone()).toBe(true)
    }).pipe(Effect.provide(clientLayer({ apiKey: "wrong" }))))

  it.effect("a 400 from createCase is Invalid with one field error per refused field", () =>
    Effect.gen(function*() {
      nock(crm).post("/case").reply(400, {
        error: "INVALID_REQUEST",
        message: "The case was refused",
        fields: [
          { name: "priority", errorMessage: "expected one of low, medium, high, got \"urgent\"" },
          { name: "customerId", errorMessage: "no customer with id BRW-9999 exists in the CRM" }
        ]
      })
      const error = yield* Effect.flip(
        (yield* client).createCase({ customerId: "BRW-9999", title: "x", priority: "urgent" })
      )
      expect(error._tag).toBe("Invalid")
      if (error._tag !== "Invalid") return
      expect(error.status).toBe(400)
      expect(error.serverMessage).toBe("INVALID_REQUEST: The case was refused")
      expect(error.fieldErrors).toEqual([
        { field: "priority", message: "expected one of low, medium, high, got \"urgent\"" },
        { field: "customerId", message: "no customer with id BRW-9999 exists in the CRM" }
      ])
      expect(error.message).toContain("priority: expected one of low, medium, high")
    }).pipe(Effect.provide(clientLayer())))

  it.effect("a 500 body {error, message} ends up in the ServerError", () =>
    Effect.gen(function*() {
      nock(crm).get("/meta/object/case").reply(500, { error: "UNEXPECTED_ERROR", message: "database unavailable" })
      const error = yield* Effect.flip((yield* client).getMeta("case"))
      expect(error._tag).toBe("ServerError")
      expect(error._tag === "ServerError" && error.serverMessage).toBe("UNEXPECTED_ERROR: database unavailable")
    }).pipe(Effect.provide(clientLayer())))
})

describe("KhorosClient retries (shared policy)", () => {
  it.effect("a 429 with Retry-After: 3 is retried after exactly 3 s of TestClock time", () =>
    Effect.gen(function*() {
      let hits = 0
      nock(crm).get("/customer/BRW-1001/cases").reply(() => {
        hits++
        return [429, { error: "RATE_LIMITED", message: "slow down" }, { "Retry-After": "3" }]
      })
      nock(crm).get("/customer/BRW-1001/cases").reply(() => {
        hits++
        return [200, [caseWithOffsets]]
      })
      const fiber = yield* Effect.fork((yield* client).findCases("BRW-1001"))
      yield* awaitSleepUntil(3000)
      expect(hits).toBe(1)
      yield* TestClock.adjust(3000)
      const found = yield* Fiber.join(fiber)
      expect(hits).toBe(2)
      expect(found.map(Either.getOrThrow)).toEqual([caseWithOffsets])
    }).pipe(Effect.provide(clientLayer())))

  it.effect("a lookup answered 503 is retried (safe to repeat); a create answered 503 is not (outcome unknown)", () =>
    Effect.gen(function*() {
      nock(crm).get("/case/KC-1").reply(503, { error: "UNAVAILABLE", message: "try again" }, { "Retry-After": "0" })
      nock(crm).get("/case/KC-1").reply(200, caseWithOffsets)
      expect(yield* (yield* client).lookupCase("KC-1")).toEqual(caseWithOffsets)

      const create = nock(crm).post("/case").once().reply(503, { error: "UNAVAILABLE", message: "try again" }, {
        "Retry-After": "0"
      })
      const error = yield* Effect.flip((yield* client).createCase({ customerId: "BRW-1001", title: "x" }))
      expect(error._tag === "ServerError" && error.ambiguous).toBe(true)
      expect(create.isDone()).toBe(true)
    }).pipe(Effect.provide(clientLayer())))
})

describe("KhorosClient writes and meta", () => {
  it.effect("createCase posts the body with its custom properties and reads the 201 case", () =>
    Effect.gen(function*() {
      const body = {
        customerId: "BRW-1001",
        title: "New case",
        description: "From a test",
        created: "2024-01-02T03:04:05.678+02:00",
        priority: "low",
        escalated: false
      }
      nock(crm).post("/case", body).reply(201, { ...caseWithOffsets, ...body, id: "KC-99", number: "99" })
      const created = yield* (yield* client).createCase(body)
      expect(created.id).toBe("KC-99")
      expect(created.created).toBe("2024-01-02T03:04:05.678+02:00")
      expect(customCaseProperties(created)).toEqual({ priority: "low", product: "mortgage", escalated: false })
    }).pipe(Effect.provide(clientLayer())))

  it.effect("updateCase sends PUT /case/{id} and reads the 201 updated case", () =>
    Effect.gen(function*() {
      nock(crm).put("/case/KC-1", { status: "closed", escalated: false }).reply(201, {
        ...caseWithOffsets,
        status: "closed",
        escalated: false
      })
      const updated = yield* (yield* client).updateCase("KC-1", { status: "closed", escalated: false })
      expect(updated.status).toBe("closed")
      expect(updated["escalated"]).toBe(false)
    }).pipe(Effect.provide(clientLayer())))

  it.effect("getMeta decodes the custom field descriptions", () =>
    Effect.gen(function*() {
      nock(crm).get("/meta/object/case").reply(200, metaCase)
      const meta = yield* (yield* client).getMeta("case")
      expect(meta).toEqual(metaCase)
      expect(meta.fields.find((f) => f.name === "priority")?.listValues?.map((v) => v.value)).toEqual([
        "low",
        "medium",
        "high"
      ])
    }).pipe(Effect.provide(clientLayer())))
})
