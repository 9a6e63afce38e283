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
 * that got it. The rate adapts to the server: a 429 halves it (once per second at
 * most, never below a tenth of the configured rate), then it creeps back up by a
 * tenth of the configured rate per second. Time comes from Effect's `Clock`, so
 * `TestClock` drives it.
 */
export interface RequestPacer {
  /** Runs one request attempt once a slot is free and its start time has come. */
  readonly run: <A, E, R>(attempt: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Holds back every request start until the given epoch milliseconds. */
  readonly pauseUntil: (epochMillis: number) => Effect.Effect<void>
  /** The server answered 429: slow down. */
  readonly throttled: Effect.Effect<void>
  /** The start rate in force now, per second (absent without a configured rate). */
  readonly currentRate: Effect.Effect<number | undefined>
}

interface PacerState {
  /** Theoretical arrival time of the next start (GCRA): starts are spaced by the current interval. */
  readonly nextStart: number
  readonly pausedUntil: number
  /** The rate a 429 set, and when: the rate in force grows back from it. */
  readonly reducedTo: number
  readonly reducedAt: number
}

/** What a 429 does to the rate in force. */
const decrease = 0.5
/** The rate never goes below this share of the configured one. */
const floorShare = 0.1
/** Share of the configured rate regained per second without a 429. */
const recoveryPerSecond = 0.1

/** The rate in force at `now`: the configured `max`, or on its way back to it after a 429. */
export const rateAt = (max: number, state: Pick<PacerState, "reducedTo" | "reducedAt">, now: number): number =>
  Math.min(max, state.reducedTo + max * recoveryPerSecond * Math.max(0, now - state.reducedAt) / 1000)

/** Creates a pacer with the given limits; one per client so every request of it shares them. */
export const makeRequestPacer = (limits: PacerLimits): Effect.Effect<RequestPacer> =>
  Effect.gen(function*() {
    const max = limits.requestsPerSecond
    const state = yield* Ref.make<PacerState>({
      nextStart: Number.NEGATIVE_INFINITY,
      pausedUntil: 0,
      reducedTo: max ?? 0,
      reducedAt: Number.NEGATIVE_INFINITY
    })
    const intervalAt = (s: PacerState, now: number) => (max === undefined ? 0 : 1000 / rateAt(max, s, now))
    const burst = Math.max(1, limits.burst ?? 1) - 1
    const slots = limits.concurrency === undefined
      ? Option.none()
      : Option.some(yield* Effect.makeSemaphore(limits.concurrency))

    // Reserve a start time atomically, then sleep until it; the reservation is what spaces concurrent callers.
    const awaitStart = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const startAt = yield* Ref.modify(state, (s) => {
        const interval = intervalAt(s, now)
        const at = Math.max(now, s.nextStart - burst * interval, s.pausedUntil)
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

    const throttled = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Ref.update(state, (s) => {
        // One overload shows up as a volley of 429s: they slow the client down once, not once each.
        if (max === undefined || now - s.reducedAt < 1000) return s
        return { ...s, reducedTo: Math.max(max * floorShare, rateAt(max, s, now) * decrease), reducedAt: now }
      }))

    const currentRate = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.map(Ref.get(state), (s) => (max === undefined ? undefined : rateAt(max, s, now))))

    return { run, pauseUntil, throttled, currentRate }
  })
