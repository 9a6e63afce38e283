// The behaviour every StateStore layer must have; run once per backing database.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Context, Effect, Either, Layer, Option, Schedule, type Scope, Stream, TestClock } from "effect"
import * as TestServices from "effect/TestServices"
import { StateStore, type StateStoreService } from "../../src/state/StateStore.js"
import type { StateStoreError } from "../../src/state/StateStoreError.js"
import { ledgerContract } from "./LedgerContract.js"
import { syncStatesContract } from "./SyncStatesContract.js"

/** A freshly created, empty database that can be opened any number of times (each open is a new connection/pool). */
export interface FreshDatabase {
  readonly open: () => Layer.Layer<StateStore, StateStoreError>
}

/** Opens a store on a database for the rest of the current scope. */
const openStore = (db: FreshDatabase): Effect.Effect<StateStoreService, StateStoreError, Scope.Scope> =>
  Effect.map(Layer.build(db.open()), Context.get(StateStore))

/** Waits (in real time, briefly) for background work such as a lease renewal to show up. */
const eventually = <A, E, R>(check: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  check.pipe(Effect.retry({ schedule: Schedule.spaced("10 millis"), times: 500 }), TestServices.provideLive)

const iso = (ms: number) => new Date(ms).toISOString()

/** A clock stopped at one instant, for one call made "later" than the TestClock says (sleeps are real). */
const clockAt = (ms: number): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => ms,
  unsafeCurrentTimeNanos: () => BigInt(ms) * 1_000_000n,
  currentTimeMillis: Effect.succeed(ms),
  currentTimeNanos: Effect.succeed(BigInt(ms) * 1_000_000n),
  sleep: (duration) => Clock.make().sleep(duration)
})

const holder = (runId: string) => ({ runId, pid: 4242, host: `host-of-${runId}`, command: "casesync apply" })

/** Registers the contract tests for one backing database; `fresh` makes a new empty database for each test. */
export const stateStoreContract = (
  name: string,
  fresh: Effect.Effect<FreshDatabase, unknown, Scope.Scope>
): void => {
  describe(name, () => {
    // == migrations

    it.scoped("migrations are idempotent: reopening (even concurrently) keeps the data", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const first = yield* openStore(db)
        yield* first.startRun({ runId: "r1", command: "plan", configDigest: "d1" })
        const [second, third] = yield* Effect.all([openStore(db), openStore(db)], { concurrency: 2 })
        expect(Option.map(yield* second.getRun("r1"), (r) => r.command)).toEqual(Option.some("plan"))
        expect(Option.isSome(yield* third.getRun("r1"))).toBe(true)
      }))

    it.scoped("two stores opening one empty database at once both come up", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const stores = yield* Effect.all([openStore(db), openStore(db)], { concurrency: 2 })
        yield* stores[0].startRun({ runId: "r1", command: "plan", configDigest: "d" })
        expect(Option.isSome(yield* stores[1].getRun("r1"))).toBe(true)
      }))

    // == runs

    it.scoped("runs: start, finish, read, list newest first", () =>
      Effect.gen(function*() {
        const store = yield* openStore(yield* fresh)
        const started = yield* store.startRun({ runId: "r1", command: "apply", configDigest: "sha256:abc" })
        expect(started).toEqual({
          runId: "r1",
          command: "apply",
          configDigest: "sha256:abc",
          startedAt: iso(0),
          endedAt: null,
          outcome: null,
          counts: {}
        })
        yield* TestClock.adjust("1 minute")
        yield* store.startRun({ runId: "r2", command: "plan", configDigest: "sha256:def" })
        yield* TestClock.adjust("1 minute")
        yield* store.startRun({ runId: "r3", command: "plan", configDigest: "sha256:def" })
        const finished = yield* store.finishRun("r1", { outcome: "succeeded", counts: { created: 3, rejected: 1 } })
        expect(finished.endedAt).toBe(iso(120_000))
        expect(finished.outcome).toBe("succeeded")
        expect(yield* store.getRun("r1")).toEqual(Option.some(finished))
        expect(yield* store.getRun("nope")).toEqual(Option.none())
        expect((yield* store.listRuns({ limit: 10 })).map((r) => r.runId)).toEqual(["r3", "r2", "r1"])
        expect((yield* store.listRuns({ limit: 2 })).map((r) => r.runId)).toEqual(["r3", "r2"])
      }))

    it.scoped("runs: a reused run id and an unknown run are errors with reasons", () =>
      Effect.gen(function*() {
        const store = yield* openStore(yield* fresh)
        yield* store.startRun({ runId: "r1", command: "apply", configDigest: "d" })
        const again = yield* Effect.flip(store.startRun({ runId: "r1", command: "apply", configDigest: "d" }))
        expect(again.reason).toBe("Duplicate")
        const unknown = yield* Effect.flip(store.finishRun("r9", { outcome: "failed", counts: {} }))
        expect(unknown.reason).toBe("NotFound")
      }))

    // == ledger (LedgerContract.ts)

    ledgerContract(fresh)

    // == two-way sync state (SyncStatesContract.ts)

    syncStatesContract(fresh)

    // == transactions

    it.scoped("atomically: the writes inside are all kept, or none when the effect fails (nested transactions included)", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const store = yield* openStore(db)
        const unsynced = { base: Option.none(), history: [], conflict: Option.none() }
        const both = (n: number) =>
          Effect.zipRight(
            store.putCheckpoint("job", "khoros", { page: n }),
            // Writes its fields in a transaction of its own: inside this one, a nested one.
            store.putFieldStates("job", "KC-1", { status: { ...unsynced, history: [] }, [`f${n}`]: unsynced })
          )
        const failed = yield* Effect.either(store.atomically(Effect.zipRight(both(1), Effect.fail("died here" as const))))
        expect(failed).toEqual(Either.left("died here"))
        const again = yield* openStore(db)
        expect(yield* again.getCheckpoint("job", "khoros")).toEqual(Option.none())
        expect((yield* again.getFieldStates("job", ["KC-1"])).size).toBe(0)

        expect(yield* store.atomically(Effect.as(both(2), "done"))).toBe("done")
        expect(yield* again.getCheckpoint("job", "khoros")).toEqual(Option.some({ page: 2 }))
        expect(Object.keys((yield* again.getFieldStates("job", ["KC-1"])).get("KC-1") ?? {}).sort()).toEqual(["f2", "status"])
      }))

    // == checkpoints

    it.scoped("checkpoints round-trip flat scalar records per job", () =>
      Effect.gen(function*() {
        const store = yield* openStore(yield* fresh)
        expect(yield* store.getCheckpoint("job", "khoros")).toEqual(Option.none())
        const value = { cursor: "abc==", page: 7, done: false, since: null, ratio: 0.25 }
        yield* store.putCheckpoint("job", "khoros", value)
        expect(yield* store.getCheckpoint("job", "khoros")).toEqual(Option.some(value))
        yield* store.putCheckpoint("job", "khoros", { cursor: "def==", page: 8 })
        expect(yield* store.getCheckpoint("job", "khoros")).toEqual(Option.some({ cursor: "def==", page: 8 }))
        expect(yield* store.getCheckpoint("other-job", "khoros")).toEqual(Option.none())
      }))

    // == leases

    it.scoped("lease: a second acquirer gets LeaseHeld naming the holder and the expiry", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const [a, b] = yield* Effect.all([openStore(db), openStore(db)])
        const lease = yield* a.acquireLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
        expect(lease).toEqual({
          name: "apply",
          holder: holder("run-a"),
          acquiredAt: iso(0),
          renewedAt: iso(0),
          expiresAt: iso(30_000)
        })
        const held = yield* Effect.flip(b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "30 seconds" }))
        expect(held._tag).toBe("LeaseHeld")
        if (held._tag !== "LeaseHeld") return
        expect(held.holder).toEqual(holder("run-a"))
        expect(held.expiresAt).toBe(iso(30_000))
        expect(held.message).toContain("run-a")
        expect(held.message).toContain("pid 4242 on host-of-run-a")
        expect(held.message).toContain(`expires at ${iso(30_000)}`)
        // Another lease name is independent.
        yield* b.acquireLease({ name: "sync", holder: holder("run-b"), ttl: "30 seconds" })
      }))

    it.scoped("lease: the holder can re-acquire and renew; others cannot renew or release it", () =>
      Effect.gen(function*() {
        const store = yield* openStore(yield* fresh)
        yield* store.acquireLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
        yield* TestClock.adjust("10 seconds")
        const again = yield* store.acquireLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
        expect([again.acquiredAt, again.expiresAt]).toEqual([iso(0), iso(40_000)])
        yield* TestClock.adjust("10 seconds")
        const renewed = yield* store.renewLease({ name: "apply", runId: "run-a", ttl: "1 minute" })
        expect([renewed.renewedAt, renewed.expiresAt]).toEqual([iso(20_000), iso(80_000)])
        const foreign = yield* Effect.flip(store.renewLease({ name: "apply", runId: "run-b", ttl: "1 minute" }))
        expect(foreign._tag).toBe("LeaseHeld")
        expect(yield* store.releaseLease({ name: "apply", runId: "run-b" })).toBe(false)
        expect(Option.isSome(yield* store.getLease("apply"))).toBe(true)
      }))

    it.scoped("lease: an expired lease can be taken over, and the old holder then finds it lost", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const [a, b] = yield* Effect.all([openStore(db), openStore(db)])
        yield* a.acquireLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
        yield* TestClock.adjust("29 seconds")
        expect((yield* Effect.flip(b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "30 seconds" })))._tag)
          .toBe("LeaseHeld")
        yield* TestClock.adjust("1 second")
        const taken = yield* b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "30 seconds" })
        expect(taken).toMatchObject({ holder: holder("run-b"), acquiredAt: iso(30_000), expiresAt: iso(60_000) })
        const lost = yield* Effect.flip(a.renewLease({ name: "apply", runId: "run-a", ttl: "30 seconds" }))
        expect(lost._tag).toBe("LeaseHeld")
      }))

    it.scoped("lease: releasing lets the next run in; renewing a released lease reports it lost", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const [a, b] = yield* Effect.all([openStore(db), openStore(db)])
        yield* a.acquireLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
        expect(yield* a.releaseLease({ name: "apply", runId: "run-a" })).toBe(true)
        expect(yield* a.getLease("apply")).toEqual(Option.none())
        const lost = yield* Effect.flip(a.renewLease({ name: "apply", runId: "run-a", ttl: "30 seconds" }))
        expect(lost._tag === "StateStoreError" && lost.reason).toBe("LeaseLost")
        const next = yield* b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "30 seconds" })
        expect(next.holder.runId).toBe("run-b")
      }))

    it.scoped("lease: withLease renews every ttl/3 while the scope is open and releases on close", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const [a, b] = yield* Effect.all([openStore(db), openStore(db)])
        yield* Effect.scoped(Effect.gen(function*() {
          const held = yield* a.withLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
          expect((yield* held.current).expiresAt).toBe(iso(30_000))
          // One renewal period at a time, each renewal seen before the clock moves on: a renewal is a
          // real database round trip, and a clock moved past the next one meanwhile would stamp it later.
          yield* TestClock.adjust("10 seconds")
          yield* eventually(Effect.filterOrFail(held.current, (l) => l.expiresAt === iso(40_000)))
          yield* TestClock.adjust("10 seconds")
          yield* eventually(Effect.filterOrFail(held.current, (l) => l.expiresAt === iso(50_000)))
          yield* TestClock.adjust("10 seconds")
          yield* eventually(Effect.filterOrFail(held.current, (l) => l.expiresAt === iso(60_000)))
          // Past the first expiry (30 s), the renewed lease still keeps others out.
          yield* TestClock.adjust("5 seconds")
          const held2 = yield* Effect.flip(b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "1 minute" }))
          expect(held2._tag).toBe("LeaseHeld")
          yield* held.ensureHeld
        }))
        expect(yield* a.getLease("apply")).toEqual(Option.none())
        yield* b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "1 minute" })
      }))

    it.scoped("lease: withLease's ensureHeld fails once another run has taken the lease", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const [a, b] = yield* Effect.all([openStore(db), openStore(db)])
        const held = yield* a.withLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
        yield* held.ensureHeld
        // An operator frees the lease by hand and another run takes it.
        yield* b.releaseLease({ name: "apply", runId: "run-a" })
        yield* b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "1 minute" })
        yield* TestClock.adjust("10 seconds")
        const lost = yield* eventually(Effect.flip(held.ensureHeld))
        expect(lost._tag).toBe("LeaseHeld")
        expect(lost.message).toContain("run-b")
      }))

    it.scoped("lease: a run waking past its expiry (paused, renewals missed) renews on ensureHeld if nobody took the lease", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const [a, b] = yield* Effect.all([openStore(db), openStore(db)])
        const held = yield* a.withLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
        // Its clock jumps 2 minutes at once, before its background renewal has had a chance to run.
        yield* held.ensureHeld.pipe(Effect.withClock(clockAt(120_000)))
        expect((yield* held.current).expiresAt).toBe(iso(150_000))
        const refused = yield* Effect.flip(b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "1 minute" }).pipe(Effect.withClock(clockAt(130_000))))
        expect(refused._tag).toBe("LeaseHeld")
      }))

    it.scoped("lease: a run waking past its expiry finds who took the lease over: ensureHeld fails with LeaseHeld naming it", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const [a, b] = yield* Effect.all([openStore(db), openStore(db)])
        const held = yield* a.withLease({ name: "apply", holder: holder("run-a"), ttl: "30 seconds" })
        yield* b.acquireLease({ name: "apply", holder: holder("run-b"), ttl: "1 minute" }).pipe(Effect.withClock(clockAt(60_000)))
        const lost = yield* Effect.flip(held.ensureHeld.pipe(Effect.withClock(clockAt(120_000))))
        expect(lost._tag).toBe("LeaseHeld")
        expect(lost.message).toContain("run-b")
        // And it stays lost: no later call succeeds.
        expect((yield* Effect.flip(held.ensureHeld))._tag).toBe("LeaseHeld")
      }))

    it.scoped("lease: concurrent acquirers from two connections: exactly one wins each round", () =>
      Effect.gen(function*() {
        const db = yield* fresh
        const [a, b] = yield* Effect.all([openStore(db), openStore(db)])
        for (let round = 0; round < 20; round++) {
          const name = `apply-${round}`
          const results = yield* Effect.all([
            Effect.either(a.acquireLease({ name, holder: holder("run-a"), ttl: "1 minute" })),
            Effect.either(b.acquireLease({ name, holder: holder("run-b"), ttl: "1 minute" }))
          ], { concurrency: 2 })
          const winners = results.filter(Either.isRight)
          const losers = results.filter(Either.isLeft).map((e) => e.left._tag)
          expect(winners.length).toBe(1)
          expect(losers).toEqual(["LeaseHeld"])
          const stored = yield* a.getLease(name)
          expect(Option.map(stored, (l) => l.holder.runId)).toEqual(Option.some(winners[0].right.holder.runId))
        }
      }))
  })
}
