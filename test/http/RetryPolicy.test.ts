import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Ref, TestClock } from "effect"
import {
  isRetryable,
  parseRetryAfter,
  RateLimited,
  retrySchedule,
  ServerError,
  Transport,
  NotFound
} from "../../src/http/index.js"
import type { HttpRequestError } from "../../src/http/index.js"

const req = { method: "POST", url: "http://api.test/x", attempt: 1 }

describe("parseRetryAfter", () => {
  it("reads delay-seconds, including fractions", () => {
    expect(parseRetryAfter("2", 0)).toBe(2000)
    expect(parseRetryAfter(" 120 ", 0)).toBe(120_000)
    expect(parseRetryAfter("1.5", 0)).toBe(1500)
  })

  it("reads an HTTP-date relative to now, never negative", () => {
    const now = Date.parse("2026-03-01T12:00:00Z")
    expect(parseRetryAfter("Sun, 01 Mar 2026 12:00:05 GMT", now)).toBe(5000)
    expect(parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now)).toBe(0)
  })

  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(undefined, 0)).toBeUndefined()
    expect(parseRetryAfter("soon", 0)).toBeUndefined()
    expect(parseRetryAfter("-3", 0)).toBeUndefined()
    expect(parseRetryAfter("2026", 0)).toBe(2_026_000)
  })
})

describe("isRetryable", () => {
  const transport = (reason: "NotConnected" | "ConnectionLost" | "Timeout") =>
    new Transport({ ...req, reason, detail: "", ambiguous: reason !== "NotConnected" })
  const server = (status: number) => new ServerError({ ...req, status, ambiguous: true })

  it("always retries a 429 and a connection that never opened", () => {
    for (const idempotent of [true, false]) {
      expect(isRetryable(new RateLimited({ ...req, status: 429 }), idempotent)).toBe(true)
      expect(isRetryable(transport("NotConnected"), idempotent)).toBe(true)
    }
  })

  it("retries ambiguous failures only for idempotent requests", () => {
    for (const error of [server(502), server(503), server(504), transport("ConnectionLost"), transport("Timeout")]) {
      expect(isRetryable(error, true)).toBe(true)
      expect(isRetryable(error, false)).toBe(false)
    }
  })

  it("never retries a 500 or a client error", () => {
    expect(isRetryable(server(500), true)).toBe(false)
    expect(isRetryable(new NotFound({ ...req, status: 404 }), true)).toBe(false)
  })
})

describe("retrySchedule", () => {
  const policy = { backoffBaseMillis: 100, backoffCapMillis: 10_000, maxAttempts: 4, maxRetryAfterMillis: 60_000 }

  /** Fails with `errors` in turn and records the TestClock time of every attempt. */
  const attemptTimes = (errors: ReadonlyArray<HttpRequestError>, idempotent: boolean) =>
    Effect.gen(function*() {
      const times = yield* Ref.make<Array<number>>([])
      const attempt = Effect.gen(function*() {
        const now = yield* TestClock.currentTimeMillis
        const seen = yield* Ref.updateAndGet(times, (t) => [...t, now])
        return yield* Effect.fail(errors[Math.min(seen.length, errors.length) - 1]!)
      })
      const fiber = yield* Effect.fork(Effect.retry(attempt, retrySchedule(policy, idempotent)))
      yield* TestClock.adjust("10 minutes")
      const error = yield* Effect.flip(Fiber.join(fiber))
      return { error, times: yield* Ref.get(times) }
    })

  it.effect("waits exactly what Retry-After asks, attempt after attempt, then stops at maxAttempts", () =>
    Effect.gen(function*() {
      const limited = new RateLimited({ ...req, status: 429, retryAfterMillis: 2000 })
      const { error, times } = yield* attemptTimes([limited], false)
      expect(times).toEqual([0, 2000, 4000, 6000])
      expect(error).toBe(limited)
    }))

  it.effect("backs off exponentially with jitter within ±20%", () =>
    Effect.gen(function*() {
      const { times } = yield* attemptTimes([new ServerError({ ...req, status: 503, ambiguous: false })], true)
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      expect(gaps).toHaveLength(3)
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i * 0.8)
        expect(gap).toBeLessThanOrEqual(100 * 2 ** i * 1.2)
      })
    }))

  it.effect("stops at the first error that is not retryable", () =>
    Effect.gen(function*() {
      const notFound = new NotFound({ ...req, status: 404 })
      const { error, times } = yield* attemptTimes(
        [new RateLimited({ ...req, status: 429, retryAfterMillis: 1000 }), notFound],
        true
      )
      expect(times).toEqual([0, 1000])
      expect(error).toBe(notFound)
    }))
})
