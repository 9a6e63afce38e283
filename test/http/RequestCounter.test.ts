import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import nock from "nock"
import { makeJsonApiClient } from "../../src/http/JsonApiClient.js"
import { makeRequestCounter } from "../../src/http/RequestCounter.js"
import { apiOrigin, readTestErrorBody, testPolicy, useNock } from "./NockTestKit.js"

useNock()

const Any = Schema.Unknown

describe("RequestCounter", () => {
  it.live("counts what goes on the wire through its client, GETs as reads and the rest as writes, refused ones too", () =>
    Effect.gen(function*() {
      const counted = makeRequestCounter()
      const other = makeRequestCounter()
      nock(apiOrigin).get("/things").times(2).reply(200, [])
      nock(apiOrigin).put("/things/1").reply(200, {})
      nock(apiOrigin).post("/things").reply(400, { message: "no" })
      const api = yield* makeJsonApiClient(testPolicy(), { readErrorBody: readTestErrorBody }).pipe(Effect.provide(counted.http))
      yield* api.json({ method: "GET", path: "/things" }, Any)
      yield* api.json({ method: "GET", path: "/things" }, Any)
      yield* api.json({ method: "PUT", path: "/things/1" }, Any)
      yield* Effect.flip(api.json({ method: "POST", path: "/things" }, Any))
      expect(counted.snapshot()).toEqual({ reads: 2, writes: 2 })
      // Each counter sees only the clients built on it.
      expect(other.snapshot()).toEqual({ reads: 0, writes: 0 })
    }))
})
