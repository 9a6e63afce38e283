import { Clock, Context, Effect, Either, HashMap, Layer, Random, Ref, SynchronizedRef } from "effect"
import type { Case, CaseType } from "../../domain/peach/index.js"
import type { ApiError } from "../ApiError.js"
import { SandboxConfig } from "../SandboxOptions.js"
import { resolvePeachFixtures } from "./PeachFixtures.js"
import { allCases, makeStore, type PeachStore, stamp } from "./PeachStore.js"

/** What a write sees besides the store: its timestamp and a case id nobody holds yet. */
export interface WriteContext {
  /** UTC, millisecond precision, strictly after every earlier write's. */
  readonly now: string
  readonly freshCaseId: string
}

/** A write: the new store and a result, or the error that leaves the store untouched. */
export type Write<A> = (store: PeachStore, context: WriteContext) => Either.Either<readonly [A, PeachStore], ApiError>

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/**
 * The Peach-style sandbox's in-memory state. Writes are serialised and atomic (one
 * `SynchronizedRef` swap each), so concurrent creates with one externalId yield
 * exactly one case; tests read the same state the HTTP routes change.
 */
export class PeachState extends Context.Tag("casesync/sandbox/PeachState")<
  PeachState,
  {
    readonly snapshot: Effect.Effect<PeachStore>
    /** Applies a write atomically; on error nothing changes. */
    readonly write: <A>(write: Write<A>) => Effect.Effect<A, ApiError>
    /** Back to the fixtures, with the id generator re-seeded. */
    readonly reset: Effect.Effect<void>
    /** Every case, in creation order. */
    readonly cases: Effect.Effect<ReadonlyArray<Case>>
    /** Every case type version, in creation order. */
    readonly caseTypes: Effect.Effect<ReadonlyArray<CaseType>>
  }
>() {
  /** State seeded from `fixtures.peach` or `samples/peach/`, ids drawn from the configured seed. */
  static readonly layer = Layer.effect(
    PeachState,
    Effect.gen(function*() {
      const config = yield* SandboxConfig
      const fixtures = resolvePeachFixtures(config.fixtures["peach"])
      const ref = yield* SynchronizedRef.make(makeStore(fixtures))
      const random = yield* Ref.make(Random.make(`peach-ids-${config.initialKnobs.seed}`))

      const drawId = (prefix: string) =>
        Effect.gen(function*() {
          const r = yield* Ref.get(random)
          let body = ""
          for (let i = 0; i < 8; i++) body += alphabet[yield* r.nextIntBetween(0, alphabet.length)]
          return `${prefix}-${body.slice(0, 4)}-${body.slice(4)}`
        })

      const freshCaseId = (store: PeachStore) =>
        Effect.iterate("", {
          while: (id) => id === "" || HashMap.has(store.cases, id),
          body: () => drawId("CS")
        })

      const write = <A>(f: Write<A>): Effect.Effect<A, ApiError> =>
        SynchronizedRef.modifyEffect(ref, (store) =>
          Effect.gen(function*() {
            const [now, stamped] = stamp(store, yield* Clock.currentTimeMillis)
            const result = f(stamped, { now, freshCaseId: yield* freshCaseId(stamped) })
            return Either.match(result, {
              onLeft: (error): readonly [Either.Either<A, ApiError>, PeachStore] => [Either.left(error), store],
              onRight: ([value, next]): readonly [Either.Either<A, ApiError>, PeachStore] => [Either.right(value), next]
            })
          })).pipe(Effect.flatMap((result) => result), Effect.withSpan("PeachState.write"))

      return {
        snapshot: SynchronizedRef.get(ref),
        write,
        reset: Effect.all([
          SynchronizedRef.set(ref, makeStore(fixtures)),
          Ref.set(random, Random.make(`peach-ids-${config.initialKnobs.seed}`))
        ], { discard: true }).pipe(Effect.withSpan("PeachState.reset")),
        cases: Effect.map(SynchronizedRef.get(ref), allCases),
        caseTypes: Effect.map(SynchronizedRef.get(ref), (s) => s.caseTypes)
      }
    })
  )
}
