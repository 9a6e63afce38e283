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
 * limit, and a shared pause so one `Retry-After` holds back every request, not just the
 * one that got it.
 *
 * Starts follow an absolute schedule, `1 / requestsPerSecond` apart (after an initial
 * burst): a start that comes late (a timer fired late, a GC pause, the process was not
 * scheduled) is made up by the next ones instead of pushing every later start back, as
 * long as it is at most `catchUpMillis` late; later than that, the schedule restarts
 * from it, so idle time is never banked. Making up never puts more starts in any second
 * than the rate allows (`requestsPerSecond`, plus the burst): the last starts are kept
 * and a start waits until the one `⌈requestsPerSecond⌉ + burst − 1` before it is a
 * second old. The rate adapts to the server: a 429 halves it (once per second at most,
 * never below a tenth of the configured rate), then it creeps back up by a tenth of the
 * configured rate per second; while it is reduced, late starts are not made up, and a
 * `Retry-After` pause is never made up. Time comes from Effect's `Clock`, so `TestClock`
 * drives it.
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
  /** When the next start is due on the schedule (GCRA): starts are spaced by the current interval. */
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
/**
 * How late a start may be and still be made up by the next ones: long enough for a GC pause or
 * a busy machine's scheduling delay, short enough that a real stall is not made up in one burst.
 */
const catchUpMillis = 250
/** The one-second cap keeps at most this many start times (above 10,000 per second its window is shorter than a second). */
const maxWindowStarts = 10_000

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
    // The cap: no more than `windowStarts + burst` starts in `windowMillis` (one second up to 10,000 per second).
    const windowStarts = max === undefined ? 0 : Math.min(Math.ceil(max), maxWindowStarts)
    const windowMillis = max === undefined ? 0 : (1000 * windowStarts) / max
    const capped = windowStarts + burst
    const slots = limits.concurrency === undefined
      ? Option.none()
      : Option.some(yield* Effect.makeSemaphore(limits.concurrency))

    // Reserve a start time atomically, then sleep until it; the reservation is what spaces concurrent callers.
    const reserve = (now: number) =>
      Ref.modify(state, (s): [number, PacerState] => {
        if (max === undefined) return [Math.max(now, s.pausedUntil), s]
        const interval = intervalAt(s, now)
        const at = Math.max(now, s.nextStart - burst * interval, s.pausedUntil)
        // Late by more than the catch-up window, held by a pause, or slowed by a 429: the schedule
        // restarts from this start. Otherwise it stays put, and the next starts make up the lateness.
        const tolerance = rateAt(max, s, now) < max ? 0 : catchUpMillis
        const restart = at - s.nextStart > tolerance || (at === s.pausedUntil && at > s.nextStart)
        return [at, { ...s, nextStart: (restart ? at : s.nextStart) + interval }]
      })

    // The last `capped` starts actually made, as a ring (one synchronous step reads and writes it).
    const recent = new Float64Array(windowStarts === 0 ? 0 : capped).fill(Number.NEGATIVE_INFINITY)
    let oldestAt = 0
    // Checked when the start is due, against the starts actually made: a timer that fired late
    // (or a stalled process) must not let a volley of reserved starts through at once.
    const admit = (now: number) =>
      Effect.sync(() => {
        if (windowStarts === 0) return 0
        const freeAt = recent[oldestAt]! + windowMillis
        if (now < freeAt) return freeAt - now
        recent[oldestAt] = now
        oldestAt = (oldestAt + 1) % capped
        return 0
      })

    const awaitStart = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const startAt = yield* reserve(now)
      if (startAt > now) yield* Effect.sleep(startAt - now)
      for (;;) {
        const wait = yield* Effect.flatMap(Clock.currentTimeMillis, admit)
        if (wait <= 0) return
        yield* Effect.sleep(wait)
      }
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
