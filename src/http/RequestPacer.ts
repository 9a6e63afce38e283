import { Clock, Effect, Option, Ref } from "effect"

/** How hard a client may push its server: start rate, burst and requests in flight. */
export interface PacerLimits {
  /** Request starts per second (absent: unlimited). */
  readonly requestsPerSecond?: number | undefined
  /** Starts allowed back to back before the spacing applies (default 1). */
  readonly burst?: number | undefined
  /** Requests in flight at once (absent: unlimited). */
  readonly concurrency?: number | undefined
}

/**
 * Paces the requests of one client: a concurrency limit (a semaphore), a start-rate
 * limit (requests spaced `1 / requestsPerSecond` apart after an initial burst), and
 * a shared pause so one `Retry-After` holds back every request, not just the one
 * that got it. Time comes from Effect's `Clock`, so `TestClock` drives it.
 */
export interface RequestPacer {
  /** Runs one request attempt once a slot is free and its start time has come. */
  readonly run: <A, E, R>(attempt: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Holds back every request start until the given epoch milliseconds. */
  readonly pauseUntil: (epochMillis: number) => Effect.Effect<void>
}

interface PacerState {
  /** Theoretical arrival time of the next start (GCRA): starts are spaced `interval` apart. */
  readonly nextStart: number
  readonly pausedUntil: number
}

/** Creates a pacer with the given limits; one per client so every request of it shares them. */
export const makeRequestPacer = (limits: PacerLimits): Effect.Effect<RequestPacer> =>
  Effect.gen(function*() {
    const state = yield* Ref.make<PacerState>({ nextStart: Number.NEGATIVE_INFINITY, pausedUntil: 0 })
    const interval = limits.requestsPerSecond === undefined ? 0 : 1000 / limits.requestsPerSecond
    const tolerance = (Math.max(1, limits.burst ?? 1) - 1) * interval
    const slots = limits.concurrency === undefined
      ? Option.none()
      : Option.some(yield* Effect.makeSemaphore(limits.concurrency))

    // Reserve a start time atomically, then sleep until it; the reservation is what spaces concurrent callers.
    const awaitStart = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const startAt = yield* Ref.modify(state, (s) => {
        const at = Math.max(now, s.nextStart - tolerance, s.pausedUntil)
        return [at, { ...s, nextStart: Math.max(s.nextStart, at) + interval }]
      })
      if (startAt > now) yield* Effect.sleep(startAt - now)
    })

    const run = <A, E, R>(attempt: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
      const paced = Effect.zipRight(awaitStart, attempt)
      return Option.match(slots, {
        onNone: () => paced,
        onSome: (semaphore) => semaphore.withPermits(1)(paced)
      })
    }

    const pauseUntil = (epochMillis: number) =>
      Ref.update(state, (s) => ({ ...s, pausedUntil: Math.max(s.pausedUntil, epochMillis) }))

    return { run, pauseUntil }
  })
