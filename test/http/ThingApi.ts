/** The small API of "things" the JsonApiClient tests talk to through nock, and helpers to drive its retries. */
import { Chunk, Effect, Fiber, Schema, TestClock, TestServices } from "effect"
import type { HttpRequestError } from "../../src/http/index.js"
import { OffsetDateTime } from "../../src/domain/peach/index.js"

export const Thing = Schema.Struct({
  id: Schema.String,
  status: Schema.Literal("open", "closed"),
  openedAt: Schema.optional(OffsetDateTime)
})
export const Envelope = Schema.Struct({ status: Schema.Int, data: Thing })
export const ThingCreate = Schema.Struct({ name: Schema.String, openedAt: OffsetDateTime })

export const thing = { id: "T-1", status: "open" }

/** Lets real I/O that a clock adjustment may have started run to completion before asserting it did not happen. */
export const settle = TestServices.provideLive(Effect.sleep(40))

/** Runs `effect` and returns its typed failure (the test fails if it succeeds). */
export const failureOf = <A>(effect: Effect.Effect<A, HttpRequestError>) =>
  Effect.flip(effect)

/** Counts requests to one path, so a test can tell a retry from a single attempt. */
export const counter = () => {
  const state = { hits: 0 }
  const count = <T>(reply: T) => () => {
    state.hits++
    return reply
  }
  return { state, count }
}

/**
 * Drives a forked request through its retry delays, whatever their jitter: whenever
 * a backoff sleep is pending (anything due sooner than the 60 s per-attempt timeout
 * of `testPolicy`), moves the TestClock exactly to it. Returns the request's exit.
 */
export const runThroughRetries = <A>(fiber: Fiber.RuntimeFiber<A, HttpRequestError>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000; i++) {
      const poll = yield* Fiber.poll(fiber)
      if (poll._tag === "Some") return poll.value
      const now = yield* TestClock.currentTimeMillis
      const backoff = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((at) => at < now + 30_000)
      if (backoff.length > 0) yield* TestClock.adjust(Math.min(...backoff) - now)
      else yield* TestServices.provideLive(Effect.sleep(2))
    }
    return yield* Effect.dieMessage("the request neither finished nor slept for a retry")
  })
