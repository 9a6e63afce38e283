import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { RateLimited, retrySchedule, ServerError, Transport } from "../../src/http/index.js"
import type { HttpRequestError } from "../../src/http/index.js"
import { Progress, silentProgress } from "../../src/progress/Progress.js"

// Retries and back-offs are told to the run's progress as they are decided, so a person
// watching a slow target sees why nothing moves ("target slow: waiting 2 s (Retry-After)").

const req = { method: "POST", url: "http://api.test/x", attempt: 1 }
const policy = { backoffBaseMillis: 400, backoffCapMillis: 400, maxAttempts: 3, maxRetryAfterMillis: 60_000 }

/** The notices a request failing with `errors` in turn (then succeeding) gives. */
const noticesOf = (errors: ReadonlyArray<HttpRequestError>, idempotent: boolean) =>
  Effect.gen(function*() {
    const notices: Array<string> = []
    let attempts = 0
    const attempt = Effect.suspend(() => attempts < errors.length ? Effect.fail(errors[attempts++]!) : Effect.succeed("ok"))
    const fiber = yield* Effect.fork(Effect.retry(attempt, retrySchedule(policy, idempotent)).pipe(
      Effect.either,
      Effect.provideService(Progress, { ...silentProgress, notice: (text) => Effect.sync(() => void notices.push(text)) })
    ))
    yield* TestClock.adjust("10 minutes")
    yield* Fiber.join(fiber)
    return notices
  })

describe("retry notices", () => {
  it.effect("say how long a 429 makes us wait, and that the server asked for it", () =>
    Effect.gen(function*() {
      const notices = yield* noticesOf([
        new RateLimited({ ...req, status: 429, retryAfterMillis: 2000 }),
        new RateLimited({ ...req, status: 429 })
      ], false)
      // The second wait is the computed back-off, 400 ms ±20% jitter.
      expect(notices[0]).toBe("target slow: waiting 2 s (Retry-After)")
      expect(notices[1]).toMatch(/^target slow: waiting 0\.[345] s \(429\)$/)
    }))

  it.effect("say which failure a retry follows", () =>
    Effect.gen(function*() {
      const notices = yield* noticesOf([
        new ServerError({ ...req, status: 503, ambiguous: false, retryAfterMillis: 1000 }),
        new Transport({ ...req, reason: "Timeout", detail: "", ambiguous: true })
      ], true)
      expect(notices[0]).toBe("retrying after 503 in 1 s (Retry-After)")
      expect(notices[1]).toMatch(/^retrying after a timeout in 0\.[345] s$/)
    }))

  it.effect("say nothing when no retry follows", () =>
    Effect.gen(function*() {
      expect(yield* noticesOf([new ServerError({ ...req, status: 503, ambiguous: true })], false)).toEqual([])
    }))
})
