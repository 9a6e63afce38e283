import { FetchHttpClient } from "@effect/platform"
import { Chunk, Effect, TestClock, TestServices } from "effect"
import nock from "nock"
import { afterAll, afterEach, beforeAll } from "vitest"
import { type ErrorBodyReader, makeHttpPolicy, makeJsonApiClient } from "../../src/http/index.js"
import type { HttpPolicy } from "../../src/http/index.js"

/** Host the nock-backed tests talk to; never resolvable, so a missing interceptor cannot reach a network. */
export const apiOrigin = "http://api.casesync.test"

/**
 * Installs nock for one test file: no real network except loopback (other suites
 * talk to a local sandbox), and no interceptor leaks from one test to the next.
 */
export const useNock = (): void => {
  beforeAll(() => {
    nock.disableNetConnect()
    nock.enableNetConnect("127.0.0.1")
  })
  afterEach(() => {
    nock.cleanAll()
  })
  afterAll(() => {
    nock.cleanAll()
    nock.enableNetConnect()
  })
}

/** A Peach-like error body reader, enough to exercise the policy without a real API. */
export const readTestErrorBody: ErrorBodyReader = (body) => {
  if (typeof body !== "object" || body === null) return { fieldErrors: [] }
  const record = body as { message?: unknown; errors?: ReadonlyArray<{ field: string; message: string }> }
  return {
    message: typeof record.message === "string" ? record.message : undefined,
    fieldErrors: record.errors ?? []
  }
}

/** A policy for tests: quick, deterministic-enough defaults that each test overrides as it needs. */
export const testPolicy = (overrides: Partial<typeof HttpPolicy.Encoded> = {}): HttpPolicy =>
  makeHttpPolicy({ baseUrl: apiOrigin, maxAttempts: 3, backoffBaseMillis: 100, timeoutMillis: 60_000, ...overrides })

/** Builds a client on `FetchHttpClient` (which nock intercepts) under `policy`. */
export const makeTestClient = (policy: HttpPolicy = testPolicy()) =>
  makeJsonApiClient(policy, { readErrorBody: readTestErrorBody }).pipe(Effect.provide(FetchHttpClient.layer))

/**
 * Waits in real time until a fiber has gone to sleep on the `TestClock` in a way
 * `matches` accepts (a request in flight is real I/O, so `TestClock.adjust` alone
 * cannot know when a retry delay has begun). Returns the pending wake-up times.
 */
export const awaitSleep = (matches: (wakeUpsMillis: ReadonlyArray<number>) => boolean, what = "a pending sleep") =>
  Effect.gen(function*() {
    for (let i = 0; i < 1000; i++) {
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
      if (matches(sleeps)) return sleeps
      yield* TestServices.provideLive(Effect.sleep(2))
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

/** Waits until some fiber sleeps until exactly `atMillis` of TestClock time. */
export const awaitSleepUntil = (atMillis: number) =>
  awaitSleep((sleeps) => sleeps.includes(atMillis), `a sleep until ${atMillis} ms`)

/** Waits (in real time) until `condition` holds, for effects driven by real I/O. */
export const awaitCondition = (condition: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1000; i++) {
      if (condition()) return
      yield* TestServices.provideLive(Effect.sleep(2))
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })
