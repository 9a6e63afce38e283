import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schema, TestClock } from "effect"
import nock from "nock"
import { apiOrigin, awaitSleepUntil, makeTestClient, testPolicy, useNock } from "./NockTestKit.js"

useNock()

const Thing = Schema.Struct({ id: Schema.String, status: Schema.Literal("open", "closed") })

describe("JsonApiClient retries", () => {
  it.effect("a 429 with Retry-After: 2 delays the next attempt by exactly 2 s of TestClock time", () =>
    Effect.gen(function*() {
      let hits = 0
      nock(apiOrigin).get("/things/1").reply(() => { hits++; return [429, { message: "slow down" }, { "Retry-After": "2" }] })
      nock(apiOrigin).get("/things/1").reply(() => { hits++; return [200, { id: "1", status: "open" }] })
      const client = yield* makeTestClient()
      const fiber = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))
      yield* awaitSleepUntil(2000)
      expect(hits).toBe(1)
      yield* TestClock.adjust(1900)
      expect(hits).toBe(1)
      yield* TestClock.adjust(100)
      const result = yield* Fiber.join(fiber)
      expect(result).toEqual({ id: "1", status: "open" })
      expect(hits).toBe(2)
    }))
})
