import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import nock from "nock"
import { caseTypeJson } from "../domain/PeachSamples.js"
import { apiOrigin, useNock } from "../http/NockTestKit.js"
import { item, withPeach } from "./PeachTestKit.js"

useNock()

const peach = () => nock(apiOrigin, { reqheaders: { authorization: "Bearer test-token" } })

describe("PeachClient case types", () => {
  it.effect("createCaseType POSTs the body and decodes the new type", () =>
    Effect.gen(function*() {
      const body = {
        caseType: "generic" as const,
        name: "Legacy servicing case",
        description: "Imported from the CRM",
        customFieldSchemas: [{ name: "legacyPriority", type: "enum" as const, values: ["low", "high"] }]
      }
      peach().post("/api/case-types", body).reply(200, item(caseTypeJson({ id: "205", status: "draft", version: 1 })))
      const created = yield* withPeach((client) => client.createCaseType(body))
      expect(created).toMatchObject({ id: "205", status: "draft", version: 1 })
    }))

  it.effect("createCaseType refuses a name over 50 characters before sending", () =>
    Effect.gen(function*() {
      const error = yield* withPeach((client) => Effect.flip(client.createCaseType({ name: "x".repeat(51) })))
      expect(error).toMatchObject({ _tag: "Invalid", fieldErrors: [{ field: "name" }] })
    }))

  it.effect("listCaseTypes follows pages and sends its filters (loanTypeId repeated)", () =>
    Effect.gen(function*() {
      peach().get("/api/case-types").query({ limit: "1", loanTypeId: ["LT-1", "LT-2"], smartReviewsEnable: "true" })
        .reply(200, {
          status: 200,
          count: 1,
          nextUrl: "/api/case-types?limit=1&loanTypeId=LT-1&loanTypeId=LT-2&smartReviewsEnable=true&startingAfter=101",
          data: [caseTypeJson()]
        })
      peach().get("/api/case-types")
        .query({ limit: "1", loanTypeId: ["LT-1", "LT-2"], smartReviewsEnable: "true", startingAfter: "101" })
        .reply(200, { status: 200, count: 1, nextUrl: null, data: [caseTypeJson({ id: "102", name: "Collections" })] })
      const types = yield* withPeach((client) =>
        Stream.runCollect(client.listCaseTypes({ pageSize: 1, loanTypeId: ["LT-1", "LT-2"], smartReviewsEnable: true }))
      )
      expect(Chunk.toReadonlyArray(types).map((t) => t.id)).toEqual(["101", "102"])
    }))

  it.effect("listCaseTypes without URLs in the envelope (seed 002) falls back to startingAfter", () =>
    Effect.gen(function*() {
      peach().get("/api/case-types").query({ limit: "1" }).reply(200, { status: 200, count: 1, data: [caseTypeJson()] })
      peach().get("/api/case-types").query({ limit: "1", startingAfter: "101" }).reply(200, { status: 200, count: 0, data: [] })
      const types = yield* withPeach((client) => Stream.runCollect(client.listCaseTypes({ pageSize: 1 })))
      expect(Chunk.size(types)).toBe(1)
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("getCaseType asks for a version only when given", () =>
    Effect.gen(function*() {
      peach().get("/api/case-types/101").query({}).reply(200, item(caseTypeJson()))
      peach().get("/api/case-types/101").query({ version: "1" }).reply(200, item(caseTypeJson({ version: 1, status: "deprecated" })))
      const [active, first] = yield* withPeach((client) => Effect.all([client.getCaseType("101"), client.getCaseType("101", 1)]))
      expect(active.version).toBe(2)
      expect(first).toMatchObject({ version: 1, status: "deprecated" })
    }))

  it.effect("updateCaseType PUTs with version and returns the new version; it is not retried after a 503", () =>
    Effect.gen(function*() {
      peach().put("/api/case-types/101", { status: "active" }).query({ version: "2" })
        .reply(200, item(caseTypeJson({ version: 3 })))
      const updated = yield* withPeach((client) => client.updateCaseType("101", { status: "active" }, 2))
      expect(updated.version).toBe(3)

      peach().put("/api/case-types/101").reply(503)
      const retry = peach().put("/api/case-types/101").reply(200, item(caseTypeJson({ version: 4 })))
      const error = yield* withPeach((client) => Effect.flip(client.updateCaseType("101", { name: "Renamed" })))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, ambiguous: true })
      expect(retry.isDone()).toBe(false)
    }))

  it.effect("add/removeCaseTypeAssociation send objectType and the integer objectId in the query", () =>
    Effect.gen(function*() {
      peach().post("/api/case-types/101/associations").query({ objectType: "doNotInteractType", objectId: "12" }).reply(204)
      peach().delete("/api/case-types/101/associations").query({ objectType: "loanType", objectId: "7" }).reply(204)
      yield* withPeach((client) =>
        Effect.zipRight(
          client.addCaseTypeAssociation("101", { objectType: "doNotInteractType", objectId: 12 }),
          client.removeCaseTypeAssociation("101", { objectType: "loanType", objectId: 7 })
        )
      )
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("createSmartReviewTasks posts asOfDate and accepts 201 with data", () =>
    Effect.gen(function*() {
      peach().post("/api/case-types/101/create-smart-review-tasks").query({ asOfDate: "2024-03-01" })
        .reply(201, { data: { tasksCreated: 3 } })
      const run = yield* withPeach((client) => client.createSmartReviewTasks("101", "2024-03-01"))
      expect(run).toEqual({ data: { tasksCreated: 3 } })
    }))

  it.effect("a case type whose name is over 50 characters in a response is a Decode error at data.name", () =>
    Effect.gen(function*() {
      peach().get("/api/case-types/101").reply(200, item(caseTypeJson({ name: "n".repeat(51) })))
      const error = yield* withPeach((client) => Effect.flip(client.getCaseType("101")))
      expect(error).toMatchObject({ _tag: "Decode", path: "data.name" })
    }))
})
