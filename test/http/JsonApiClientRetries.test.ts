import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, TestClock } from "effect"
import nock from "nock"
import { isOutcomeUnknown, jsonBody } from "../../src/http/index.js"
import { apiOrigin, awaitSleep, awaitSleepUntil, makeTestClient, testPolicy, useNock } from "./NockTestKit.js"
import { counter, Envelope, failureOf, runThroughRetries, settle, thing, Thing, ThingCreate } from "./ThingApi.js"

useNock()
describe("JsonApiClient: Retry-After", () => {
  it.effect("a 429 with Retry-After: 2 delays the next attempt by exactly 2 s of TestClock time", () =>
    Effect.gen(function*() {
      const { count, state } = counter()
      nock(apiOrigin).get("/things/1").reply(count([429, { message: "slow down" }, { "Retry-After": "2" }]))
      nock(apiOrigin).get("/things/1").reply(count([200, thing]))
      const client = yield* makeTestClient()
      const fiber = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))

      yield* awaitSleepUntil(2000)
      expect(state.hits).toBe(1)
      yield* TestClock.adjust(1900)
      yield* settle
      expect(state.hits).toBe(1)
      expect(Exit.isExit(yield* Fiber.poll(fiber))).toBe(false)

      yield* TestClock.adjust(100)
      expect(yield* Fiber.join(fiber)).toEqual(thing)
      expect(state.hits).toBe(2)
    }))

  it.effect("a 429 slows the client's pacing: the next request starts 1 / (R / 2) after the retry, not 1 / R", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/things/1").reply(429, { message: "slow down" }, { "Retry-After": "0" })
      nock(apiOrigin).get("/things/1").times(2).reply(200, thing)
      const client = yield* makeTestClient(testPolicy({ requestsPerSecond: 10 }))
      // The first attempt starts at 0 and gets the 429; its retry is spaced at the halved rate.
      const first = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))
      yield* awaitSleepUntil(100)
      yield* TestClock.adjust(100)
      expect(yield* Fiber.join(first)).toEqual(thing)
      // At 10 requests/s the next start would be at 200 ms; at 5 (after the 429) it is at 300.
      const second = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))
      yield* awaitSleepUntil(300)
      yield* TestClock.adjust(200)
      expect(yield* Fiber.join(second)).toEqual(thing)
    }))

  it.effect("gives up with a typed RateLimited error after maxAttempts 429s, each 2 s apart", () =>
    Effect.gen(function*() {
      const { count, state } = counter()
      nock(apiOrigin).get("/things/1").times(3).reply(count([429, { message: "slow down" }, { "Retry-After": "2" }]))
      const client = yield* makeTestClient(testPolicy({ maxAttempts: 3 }))
      const fiber = yield* Effect.fork(failureOf(client.json({ method: "GET", path: "/things/1" }, Thing)))

      yield* awaitSleepUntil(2000)
      yield* TestClock.adjust(2000)
      yield* awaitSleepUntil(4000)
      expect(state.hits).toBe(2)
      yield* TestClock.adjust(2000)
      const error = yield* Fiber.join(fiber)

      expect(state.hits).toBe(3)
      expect(error).toMatchObject({ _tag: "RateLimited", status: 429, attempt: 3, retryAfterMillis: 2000 })
      expect(error.message).toContain("after 3 attempts")
    }))

  it.effect("Retry-After as an HTTP date waits until that instant", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-03-01T12:00:00Z"))
      const { count, state } = counter()
      nock(apiOrigin)
        .get("/things/1")
        .reply(count([503, { message: "maintenance" }, { "Retry-After": "Sun, 01 Mar 2026 12:00:05 GMT" }]))
      nock(apiOrigin).get("/things/1").reply(count([200, thing]))
      const client = yield* makeTestClient()
      const fiber = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))

      const start = Date.parse("2026-03-01T12:00:00Z")
      yield* awaitSleepUntil(start + 5000)
      yield* TestClock.adjust(4999)
      yield* settle
      expect(state.hits).toBe(1)
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(fiber)).toEqual(thing)
      expect(state.hits).toBe(2)
    }))

  it.effect("a Retry-After beyond maxRetryAfterMillis ends the retries at once", () =>
    Effect.gen(function*() {
      const { count, state } = counter()
      nock(apiOrigin).get("/things/1").reply(count([429, {}, { "Retry-After": "3600" }]))
      nock(apiOrigin).get("/things/1").reply(count([200, thing]))
      const client = yield* makeTestClient(testPolicy({ maxRetryAfterMillis: 60_000 }))
      const error = yield* failureOf(client.json({ method: "GET", path: "/things/1" }, Thing))
      expect(error).toMatchObject({ _tag: "RateLimited", attempt: 1, retryAfterMillis: 3_600_000 })
      expect(state.hits).toBe(1)
      // Nor does the hour it asked for hold back the client's next request.
      expect(yield* client.json({ method: "GET", path: "/things/1" }, Thing)).toEqual(thing)
    }))

  it.effect("one 429 holds back the client's other requests until Retry-After has passed", () =>
    Effect.gen(function*() {
      let otherSent = false
      nock(apiOrigin).get("/things/1").reply(429, {}, { "Retry-After": "3" })
      nock(apiOrigin).get("/things/1").reply(200, thing)
      nock(apiOrigin).get("/things/2").reply(() => {
        otherSent = true
        return [200, { ...thing, id: "T-2" }]
      })
      const client = yield* makeTestClient()
      const first = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))
      yield* awaitSleepUntil(3000)
      const second = yield* Effect.fork(client.json({ method: "GET", path: "/things/2" }, Thing))
      yield* TestClock.adjust(2500)
      yield* settle
      expect(otherSent).toBe(false)
      yield* TestClock.adjust(500)
      expect((yield* Fiber.join(second)).id).toBe("T-2")
      expect((yield* Fiber.join(first)).id).toBe("T-1")
    }))
})

describe("JsonApiClient: backoff on transient failures", () => {
  it.effect("retries a GET on 502, 503 and 504 with exponential, jittered delays", () =>
    Effect.gen(function*() {
      const { count, state } = counter()
      nock(apiOrigin).get("/things/1").reply(count([502, "bad gateway"]))
      nock(apiOrigin).get("/things/1").reply(count([503, { message: "unavailable" }]))
      nock(apiOrigin).get("/things/1").reply(count([504, ""]))
      nock(apiOrigin).get("/things/1").reply(count([200, thing]))
      const client = yield* makeTestClient(testPolicy({ maxAttempts: 4, backoffBaseMillis: 100 }))
      const fiber = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))

      // Base 100 ms doubling, each delay within ±20% jitter: ~100, ~200, ~400 ms.
      let now = 0
      for (const base of [100, 200, 400]) {
        const sleeps = yield* awaitSleep(
          (s) => s.some((at) => at >= now + base * 0.8 && at <= now + base * 1.2),
          `a ${base} ms backoff`
        )
        const wakeUp = sleeps.find((at) => at >= now + base * 0.8 && at <= now + base * 1.2)!
        yield* TestClock.adjust(wakeUp - now)
        now = wakeUp
      }
      expect(yield* Fiber.join(fiber)).toEqual(thing)
      expect(state.hits).toBe(4)
    }))

  it.effect("caps the backoff at backoffCapMillis", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/things/1").times(2).reply(503)
      nock(apiOrigin).get("/things/1").reply(200, thing)
      const client = yield* makeTestClient(testPolicy({ backoffBaseMillis: 5000, backoffCapMillis: 1000 }))
      const fiber = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))
      yield* awaitSleepUntil(1000)
      yield* TestClock.adjust(1000)
      yield* awaitSleepUntil(2000)
      yield* TestClock.adjust(1000)
      expect(yield* Fiber.join(fiber)).toEqual(thing)
    }))

  it.effect("retries a GET after a dropped connection and after a refused one", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/things/1").replyWithError({ code: "ECONNRESET", message: "socket hang up" })
      nock(apiOrigin).get("/things/1").replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" })
      nock(apiOrigin).get("/things/1").reply(200, thing)
      const client = yield* makeTestClient()
      const fiber = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))
      const exit = yield* runThroughRetries(fiber)
      expect(exit).toEqual(Exit.succeed(thing))
      expect(nock.isDone()).toBe(true)
    }))

  it.effect("does not retry a 500 (a server bug, not a transient failure)", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/things/1").reply(500, { message: "NullPointerException" })
      nock(apiOrigin).get("/things/1").reply(200, thing)
      const client = yield* makeTestClient()
      const error = yield* failureOf(client.json({ method: "GET", path: "/things/1" }, Thing))
      expect(error).toMatchObject({ _tag: "ServerError", status: 500, ambiguous: false, serverMessage: "NullPointerException" })
      expect(nock.pendingMocks()).toHaveLength(1)
    }))

  it.effect("after the last attempt fails with the last attempt's typed error", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/things/1").reply(502)
      nock(apiOrigin).get("/things/1").reply(503, { message: "still down" })
      const client = yield* makeTestClient(testPolicy({ maxAttempts: 2 }))
      const fiber = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))
      const exit = yield* runThroughRetries(fiber)
      expect(exit).toEqual(
        Exit.fail(expect.objectContaining({ _tag: "ServerError", status: 503, attempt: 2, serverMessage: "still down" }))
      )
    }))

  it.effect("a timed-out GET is a Transport Timeout and is retried", () =>
    Effect.gen(function*() {
      nock(apiOrigin).get("/things/1").delay(10_000).reply(200, thing)
      nock(apiOrigin).get("/things/1").reply(200, { ...thing, id: "T-again" })
      const client = yield* makeTestClient(testPolicy({ timeoutMillis: 5000, backoffBaseMillis: 100 }))
      const fiber = yield* Effect.fork(client.json({ method: "GET", path: "/things/1" }, Thing))
      yield* awaitSleepUntil(5000)
      yield* TestClock.adjust(5000)
      const sleeps = yield* awaitSleep((s) => s.some((at) => at >= 5080 && at <= 5120), "the backoff after the timeout")
      yield* TestClock.adjust(sleeps.find((at) => at >= 5080 && at <= 5120)! - 5000)
      expect(yield* Fiber.join(fiber)).toEqual({ ...thing, id: "T-again" })
    }))
})

describe("JsonApiClient: a create is never sent twice blindly", () => {
  const create = { method: "POST", path: "/things", body: jsonBody(ThingCreate, { name: "x", openedAt: "2024-01-02T03:04:05Z" }) } as const

  it.effect("a POST that gets a 503 fails at once, saying the outcome is unknown", () =>
    Effect.gen(function*() {
      nock(apiOrigin).post("/things").reply(503, { message: "try later" })
      nock(apiOrigin).post("/things").reply(200, { status: 200, data: thing })
      const client = yield* makeTestClient()
      const error = yield* failureOf(client.json(create, Envelope))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, ambiguous: true, attempt: 1 })
      expect(isOutcomeUnknown(error)).toBe(true)
      expect(error.message).toContain("outcome unknown")
      expect(nock.pendingMocks()).toHaveLength(1)
    }))

  it.effect("a POST whose connection drops fails at once with an ambiguous Transport error", () =>
    Effect.gen(function*() {
      nock(apiOrigin).post("/things").replyWithError({ code: "ECONNRESET", message: "socket hang up" })
      nock(apiOrigin).post("/things").reply(200, { status: 200, data: thing })
      const client = yield* makeTestClient()
      const error = yield* failureOf(client.json(create, Envelope))
      expect(error).toMatchObject({ _tag: "Transport", reason: "ConnectionLost", ambiguous: true })
      expect(isOutcomeUnknown(error)).toBe(true)
      expect(nock.pendingMocks()).toHaveLength(1)
    }))

  it.effect("a POST that times out is not retried and its outcome is unknown", () =>
    Effect.gen(function*() {
      nock(apiOrigin).post("/things").delay(10_000).reply(200, { status: 200, data: thing })
      nock(apiOrigin).post("/things").reply(200, { status: 200, data: thing })
      const client = yield* makeTestClient(testPolicy({ timeoutMillis: 5000 }))
      const fiber = yield* Effect.fork(failureOf(client.json(create, Envelope)))
      yield* awaitSleepUntil(5000)
      yield* TestClock.adjust(5000)
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "Transport", reason: "Timeout", ambiguous: true, attempt: 1 })
      expect(nock.pendingMocks()).toHaveLength(1)
    }))

  it.effect("a POST is retried after a 429 (the server refused it unprocessed)", () =>
    Effect.gen(function*() {
      const bodies: Array<unknown> = []
      nock(apiOrigin).post("/things").reply(429, {}, { "Retry-After": "1" })
      nock(apiOrigin).post("/things", (body) => {
        bodies.push(body)
        return true
      }).reply(200, { status: 200, data: thing })
      const client = yield* makeTestClient()
      const fiber = yield* Effect.fork(client.json(create, Envelope))
      yield* awaitSleepUntil(1000)
      yield* TestClock.adjust(1000)
      expect((yield* Fiber.join(fiber)).data).toEqual(thing)
      expect(bodies).toEqual([{ name: "x", openedAt: "2024-01-02T03:04:05Z" }])
    }))

  it.effect("a POST is retried after a refused connection (nothing was sent)", () =>
    Effect.gen(function*() {
      nock(apiOrigin).post("/things").replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" })
      nock(apiOrigin).post("/things").reply(200, { status: 200, data: thing })
      const client = yield* makeTestClient()
      const fiber = yield* Effect.fork(client.json(create, Envelope))
      const exit = yield* runThroughRetries(fiber)
      expect(Exit.isSuccess(exit)).toBe(true)
    }))

  it.effect("a POST the caller marks idempotent is retried after a 503", () =>
    Effect.gen(function*() {
      nock(apiOrigin).post("/things/T-1/views").reply(503)
      nock(apiOrigin).post("/things/T-1/views").reply(204)
      const client = yield* makeTestClient()
      const fiber = yield* Effect.fork(client.noContent({ method: "POST", path: "/things/T-1/views", idempotent: true }))
      const exit = yield* runThroughRetries(fiber)
      expect(exit).toEqual(Exit.void)
    }))

  it.effect("a PUT is retried after a 503 but its last error still says the outcome is unknown", () =>
    Effect.gen(function*() {
      nock(apiOrigin).put("/things/T-1").times(2).reply(503)
      const client = yield* makeTestClient(testPolicy({ maxAttempts: 2 }))
      const fiber = yield* Effect.fork(client.json({ method: "PUT", path: "/things/T-1" }, Thing))
      const exit = yield* runThroughRetries(fiber)
      expect(exit).toEqual(Exit.fail(expect.objectContaining({ _tag: "ServerError", attempt: 2, ambiguous: true })))
      expect(nock.isDone()).toBe(true)
    }))
})
