import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Fiber, Ref, TestClock } from "effect"
import nock from "nock"
import { makeRequestPacer, type RequestPacer } from "../../src/http/index.js"
import { apiOrigin, awaitCondition, makeTestClient, testPolicy, useNock } from "./NockTestKit.js"

useNock()

/** Starts `n` paced tasks at once and returns the TestClock time at which each one started. */
const startTimes = (limits: Parameters<typeof makeRequestPacer>[0], n: number, advanceMillis: number) =>
  Effect.gen(function*() {
    const pacer = yield* makeRequestPacer(limits)
    const fiber = yield* Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      () => pacer.run(Clock.currentTimeMillis),
      { concurrency: "unbounded" }
    ).pipe(Effect.fork)
    yield* TestClock.adjust(advanceMillis)
    return yield* Fiber.join(fiber)
  })

/**
 * One caller at a time: it starts, works for `workMillis(i)`, then asks for the next start.
 * Returns the TestClock time of each start.
 */
const sequentialStarts = (
  pacerOrLimits: RequestPacer | Parameters<typeof makeRequestPacer>[0],
  n: number,
  workMillis: (i: number) => number
) =>
  Effect.gen(function*() {
    const pacer = "run" in pacerOrLimits ? pacerOrLimits : yield* makeRequestPacer(pacerOrLimits)
    const fiber = yield* Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      (i) => Effect.zipLeft(pacer.run(Clock.currentTimeMillis), Effect.sleep(workMillis(i)))
    ).pipe(Effect.fork)
    yield* TestClock.adjust(60_000)
    return yield* Fiber.join(fiber)
  })

/** The most starts in any half-open second [t, t + 1000). */
const busiestSecond = (times: ReadonlyArray<number>) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))

describe("RequestPacer", () => {
  it.effect("spaces request starts 1 / requestsPerSecond apart", () =>
    Effect.gen(function*() {
      const times = yield* startTimes({ requestsPerSecond: 2 }, 4, 2000)
      expect([...times].sort((a, b) => a - b)).toEqual([0, 500, 1000, 1500])
    }))

  it.effect("lets a burst start at once, then spaces the rest", () =>
    Effect.gen(function*() {
      const times = yield* startTimes({ requestsPerSecond: 1, burst: 3 }, 5, 3000)
      expect([...times].sort((a, b) => a - b)).toEqual([0, 0, 0, 1000, 2000])
    }))

  it.effect("does not delay anything without a rate", () =>
    Effect.gen(function*() {
      const times = yield* startTimes({}, 3, 0)
      expect(times).toEqual([0, 0, 0])
    }))

  it.effect("an idle period does not bank extra starts beyond the burst", () =>
    Effect.gen(function*() {
      const pacer = yield* makeRequestPacer({ requestsPerSecond: 1 })
      yield* pacer.run(Effect.void)
      yield* TestClock.adjust(10_000)
      const fiber = yield* Effect.forEach([1, 2], () => pacer.run(Clock.currentTimeMillis), { concurrency: 2 }).pipe(
        Effect.fork
      )
      yield* TestClock.adjust(1000)
      expect(yield* Fiber.join(fiber)).toEqual([10_000, 11_000])
    }))

  it.effect("a late start does not shift the schedule: n starts take (n - 1) / R, not n × (1 / R + lateness)", () =>
    Effect.gen(function*() {
      // One caller at a time whose work sometimes outlasts the interval: those starts are late,
      // and the next ones make it up instead of pushing every later start back.
      const times = yield* sequentialStarts({ requestsPerSecond: 100 }, 40, (i) => (i % 4 === 3 ? 15 : 5))
      expect(times.slice(0, 6)).toEqual([0, 10, 20, 30, 45, 50])
      expect(times[39]).toBe(390)
    }))

  it.effect("a start later than the catch-up window restarts the schedule: a long stall is not made up in one burst", () =>
    Effect.gen(function*() {
      const times = yield* sequentialStarts({ requestsPerSecond: 10 }, 9, (i) => (i === 4 ? 600 : 0))
      expect(times).toEqual([0, 100, 200, 300, 400, 1000, 1100, 1200, 1300])
    }))

  it.effect("making up for late starts never puts more than requestsPerSecond starts in any second", () =>
    Effect.gen(function*() {
      const times = yield* sequentialStarts({ requestsPerSecond: 10 }, 40, (i) => (i === 4 ? 240 : 0))
      // The late start is made up at once (two starts at 640)...
      expect(times.slice(4, 8)).toEqual([400, 640, 640, 700])
      // ...yet no second holds more than 10 starts, and the schedule still ends on time.
      expect(busiestSecond(times)).toBe(10)
      expect(times[39]).toBe(3900)
    }))

  it.effect("a Retry-After pause is not made up afterwards, even a short one: starts resume spaced", () =>
    Effect.gen(function*() {
      const pacer = yield* makeRequestPacer({ requestsPerSecond: 10 })
      yield* pacer.run(Effect.void)
      // The next start was due at 100; the pause holds it to 200, within the catch-up window.
      yield* pacer.pauseUntil(200)
      const fiber = yield* Effect.forEach([1, 2, 3], () => pacer.run(Clock.currentTimeMillis), { concurrency: "unbounded" }).pipe(Effect.fork)
      yield* TestClock.adjust(1000)
      expect([...(yield* Fiber.join(fiber))].sort((a, b) => a - b)).toEqual([200, 300, 400])
    }))

  it.effect("after a 429 late starts are not made up: the schedule moves with them until the rate is back", () =>
    Effect.gen(function*() {
      const pacer = yield* makeRequestPacer({ requestsPerSecond: 10 })
      yield* pacer.throttled
      // About 5 per second now (200 ms apart, growing back); the third start comes 100 ms late,
      // and the next one keeps a full interval after it instead of catching up.
      const times = yield* sequentialStarts(pacer, 5, (i) => (i === 1 ? 300 : 0))
      expect(times.slice(0, 3)).toEqual([0, 200, 500])
      expect(times[3]! - times[2]!).toBeGreaterThan(1000 / 6)
    }))

  it.effect("a 429 halves the rate once per volley, then it creeps back to the configured rate", () =>
    Effect.gen(function*() {
      const pacer = yield* makeRequestPacer({ requestsPerSecond: 10 })
      expect(yield* pacer.currentRate).toBe(10)
      yield* pacer.throttled
      expect(yield* pacer.currentRate).toBe(5)
      // More 429s of the same overload, within the second: no further cut.
      yield* TestClock.adjust(500)
      yield* pacer.throttled
      expect(yield* pacer.currentRate).toBeCloseTo(5.5)
      // Back by a tenth of the configured rate per second, never above it.
      yield* TestClock.adjust(2_500)
      expect(yield* pacer.currentRate).toBeCloseTo(8)
      yield* TestClock.adjust(10_000)
      expect(yield* pacer.currentRate).toBe(10)
      // A 429 a second or more later cuts again, from the rate in force.
      yield* pacer.throttled
      yield* pacer.throttled
      expect(yield* pacer.currentRate).toBe(5)
    }))

  it.effect("after a 429, starts are spaced by the reduced rate; it never drops below a tenth of the configured rate", () =>
    Effect.gen(function*() {
      const pacer = yield* makeRequestPacer({ requestsPerSecond: 10 })
      yield* pacer.throttled
      const fiber = yield* Effect.forEach([1, 2, 3], () => pacer.run(Clock.currentTimeMillis), { concurrency: "unbounded" }).pipe(Effect.fork)
      yield* TestClock.adjust(1_000)
      expect([...(yield* Fiber.join(fiber))].sort((a, b) => a - b)).toEqual([0, 200, 400])
      for (let i = 0; i < 10; i++) {
        yield* pacer.throttled
        yield* TestClock.adjust(1_000)
      }
      expect(yield* pacer.currentRate).toBeGreaterThanOrEqual(1)
      expect(yield* pacer.currentRate).toBeLessThan(2.1)
    }))

  it.effect("without a configured rate a 429 changes no spacing (Retry-After still pauses)", () =>
    Effect.gen(function*() {
      const pacer = yield* makeRequestPacer({})
      yield* pacer.throttled
      expect(yield* pacer.currentRate).toBeUndefined()
      expect(yield* Effect.forEach([1, 2], () => pacer.run(Clock.currentTimeMillis), { concurrency: 2 })).toEqual([0, 0])
    }))

  it.effect("never runs more than `concurrency` attempts at once", () =>
    Effect.gen(function*() {
      const pacer = yield* makeRequestPacer({ concurrency: 2 })
      const inFlight = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const release = yield* Deferred.make<void>()
      const task = pacer.run(
        Effect.gen(function*() {
          const now = yield* Ref.updateAndGet(inFlight, (n) => n + 1)
          yield* Ref.update(peak, (p) => Math.max(p, now))
          yield* Deferred.await(release)
          yield* Ref.update(inFlight, (n) => n - 1)
        })
      )
      const fiber = yield* Effect.forEach([1, 2, 3, 4, 5], () => task, { concurrency: "unbounded" }).pipe(Effect.fork)
      yield* TestClock.adjust(0)
      expect(yield* Ref.get(inFlight)).toBe(2)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(fiber)
      expect(yield* Ref.get(peak)).toBe(2)
    }))

  it.effect("pauseUntil holds back every start until that instant", () =>
    Effect.gen(function*() {
      const pacer = yield* makeRequestPacer({})
      yield* pacer.pauseUntil(3000)
      const fiber = yield* Effect.fork(pacer.run(Clock.currentTimeMillis))
      yield* TestClock.adjust(3000)
      expect(yield* Fiber.join(fiber)).toBe(3000)
    }))
})

describe("RequestPacer inside the HTTP client", () => {
  it.effect("requestsPerSecond spaces real requests on the TestClock", () =>
    Effect.gen(function*() {
      let hits = 0
      nock(apiOrigin).get("/ping").times(3).reply(() => {
        hits++
        return [200, { ok: true }]
      })
      const client = yield* makeTestClient(testPolicy({ requestsPerSecond: 1 }))
      const fiber = yield* Effect.forEach([1, 2, 3], () => client.noContent({ method: "GET", path: "/ping" }), {
        concurrency: "unbounded"
      }).pipe(Effect.fork)
      yield* awaitCondition(() => hits === 1, "the first request")
      yield* TestClock.adjust(999)
      yield* Effect.sleep(0)
      expect(hits).toBe(1)
      yield* TestClock.adjust(1)
      yield* awaitCondition(() => hits === 2, "the second request at 1 s")
      yield* TestClock.adjust(1000)
      yield* Fiber.join(fiber)
      expect(hits).toBe(3)
    }))

  it.effect("concurrency 1 keeps the second request unsent until the first has answered", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const pending: Array<() => void> = []
      nock(apiOrigin).get(/\/slow\/\d/).times(2).reply(function(uri, _body, callback) {
        seen.push(uri)
        pending.push(() => callback(null, [200, { ok: true }]))
      })
      const client = yield* makeTestClient(testPolicy({ concurrency: 1 }))
      const fiber = yield* Effect.forEach(
        ["/slow/1", "/slow/2"],
        (path) => client.noContent({ method: "GET", path }),
        { concurrency: "unbounded" }
      ).pipe(Effect.fork)
      yield* awaitCondition(() => seen.length === 1, "the first request")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
      expect(seen).toHaveLength(1)
      pending[0]!()
      yield* awaitCondition(() => seen.length === 2, "the second request")
      pending[1]!()
      yield* Fiber.join(fiber)
    }))
})
