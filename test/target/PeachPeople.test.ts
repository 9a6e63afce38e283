import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import nock from "nock"
import { personJson } from "../domain/PeachSamples.js"
import { apiOrigin, useNock } from "../http/NockTestKit.js"
import { item, withPeach } from "./PeachTestKit.js"

useNock()

describe("PeachClient people", () => {
  it.effect("listPeople pages through borrowers", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/people").query({ limit: "1" }).reply(200, {
        status: 200,
        total: 2,
        count: 1,
        nextUrl: "/api/people?limit=1&startingAfter=BO-UJZD-E8GX",
        previousUrl: null,
        data: [personJson()]
      })
      nock(apiOrigin).get("/api/people").query({ limit: "1", startingAfter: "BO-UJZD-E8GX" }).reply(200, {
        status: 200,
        total: 2,
        count: 1,
        nextUrl: null,
        previousUrl: "/people?limit=1&endingBefore=BO-6NCF-10EP",
        data: [personJson({ id: "BO-6NCF-10EP", externalId: "BRW-1002" })]
      })
      const people = yield* withPeach((client) => Stream.runCollect(client.listPeople({ pageSize: 1 })))
      expect(Chunk.toReadonlyArray(people).map((p) => p.externalId)).toEqual(["BRW-1001", "BRW-1002"])
    }))

  it.effect("getPerson and findPersonByExternalId (ext- prefix; None on 404)", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/api/people/BO-UJZD-E8GX").reply(200, item(personJson()))
      nock(apiOrigin).get("/api/people/ext-BRW-1001").reply(200, item(personJson()))
      nock(apiOrigin).get("/api/people/ext-BRW-9999").reply(404, { status: 404, message: "Person not found" })
      const [byId, byExt, missing] = yield* withPeach((client) =>
        Effect.all([client.getPerson("BO-UJZD-E8GX"), client.findPersonByExternalId("BRW-1001"), client.findPersonByExternalId("BRW-9999")])
      )
      expect(byId.name).toBe("Grace Johnson")
      expect(Option.map(byExt, (p) => p.id)).toEqual(Option.some("BO-UJZD-E8GX"))
      expect(missing).toEqual(Option.none())
    }))
})
