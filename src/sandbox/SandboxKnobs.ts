import { Clock, Context, Duration, Effect, Layer, Option, Random, Ref } from "effect"
import { type Knobs, type KnobsPatch, SandboxConfig } from "./SandboxOptions.js"

interface Bucket {
  readonly tokens: number
  readonly at: number
}

/**
 * The live knobs of a running sandbox and the decisions drawn from them: latency,
 * rate limiting (token bucket) and fault rolls, all from one seeded PRNG so a test
 * that sends the same requests in the same order meets the same faults.
 */
export class SandboxKnobs extends Context.Tag("casesync/sandbox/SandboxKnobs")<
  SandboxKnobs,
  {
    readonly get: Effect.Effect<Knobs>
    /** Changes some knobs; a new `seed` or `rateLimit` restarts the PRNG or the bucket. */
    readonly set: (patch: KnobsPatch) => Effect.Effect<Knobs>
    /** Re-seeds the PRNG and refills the bucket, as on a fresh start (knob values stay). */
    readonly restart: Effect.Effect<void>
    /** How long to hold this request before handling it. */
    readonly latency: Effect.Effect<Duration.Duration>
    /** Takes a token; when none is left, the seconds a client should wait (`Retry-After`). */
    readonly takeToken: Effect.Effect<Option.Option<number>>
    /** True with probability `rate` (never draws when rate is 0, so unused knobs keep sequences stable). */
    readonly roll: (rate: number) => Effect.Effect<boolean>
    /** A uniform draw in [0, 1) from the seeded PRNG. */
    readonly next: Effect.Effect<number>
  }
>() {
  /** Knobs starting from the configured values. */
  static readonly layer = Layer.effect(
    SandboxKnobs,
    Effect.gen(function*() {
      const config = yield* SandboxConfig
      const knobs = yield* Ref.make(config.initialKnobs)
      const random = yield* Ref.make(Random.make(config.initialKnobs.seed))
      // Burst: one second's worth of requests, and at least one so a slow rate still serves.
      const capacity = (rate: number) => Math.max(1, rate)
      const fullBucket = (k: Knobs, at: number): Bucket => ({ tokens: capacity(k.rateLimit ?? 0), at })
      const bucket = yield* Ref.make(fullBucket(config.initialKnobs, yield* Clock.currentTimeMillis))

      const next = Effect.flatMap(Ref.get(random), (r) => r.next)

      const restart = Effect.gen(function*() {
        const k = yield* Ref.get(knobs)
        yield* Ref.set(random, Random.make(k.seed))
        yield* Ref.set(bucket, fullBucket(k, yield* Clock.currentTimeMillis))
      })

      return {
        get: Ref.get(knobs),
        set: Effect.fn("SandboxKnobs.set")(function*(patch: KnobsPatch) {
          const before = yield* Ref.get(knobs)
          const after = yield* Ref.updateAndGet(knobs, (k) => ({ ...k, ...patch }))
          if (after.seed !== before.seed) yield* Ref.set(random, Random.make(after.seed))
          if (after.rateLimit !== before.rateLimit) {
            yield* Ref.set(bucket, fullBucket(after, yield* Clock.currentTimeMillis))
          }
          return after
        }),
        restart,
        latency: Effect.gen(function*() {
          const k = yield* Ref.get(knobs)
          const jitter = k.latencyJitterMs > 0 ? Math.floor((yield* next) * (k.latencyJitterMs + 1)) : 0
          return Duration.millis(k.latencyMs + jitter)
        }),
        takeToken: Effect.gen(function*() {
          const k = yield* Ref.get(knobs)
          const rate = k.rateLimit
          if (rate === null) return Option.none()
          const now = yield* Clock.currentTimeMillis
          return yield* Ref.modify(bucket, (b): [Option.Option<number>, Bucket] => {
            const tokens = Math.min(capacity(rate), b.tokens + ((now - b.at) / 1000) * rate)
            if (tokens >= 1) return [Option.none(), { tokens: tokens - 1, at: now }]
            // Whole seconds until one token is back; never 0, which would invite an immediate retry.
            return [Option.some(Math.max(1, Math.ceil((1 - tokens) / rate))), { tokens, at: now }]
          })
        }),
        roll: (rate: number) => rate <= 0 ? Effect.succeed(false) : Effect.map(next, (x) => x < rate),
        next
      }
    })
  )
}
