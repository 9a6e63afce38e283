// The two-way sync's part of the state-store contract (StateStoreContract.ts runs it on every backing database).
import { expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, type Scope } from "effect"
import { StateStore, type StateStoreService } from "../../src/state/StateStore.js"
import type { StateStoreError } from "../../src/state/StateStoreError.js"
import { conflictId } from "../../src/state/SyncStates.js"
import type { FieldSyncState, QueuedConflict } from "../../src/sync/FieldState.js"
import type { FreshDatabase } from "./StateStoreContract.js"

const openStore = (db: FreshDatabase): Effect.Effect<StateStoreService, StateStoreError, Scope.Scope> =>
  Effect.map(Layer.build(db.open()), Context.get(StateStore))

const synced = (crm: unknown, target: unknown): FieldSyncState => ({
  base: Option.some({ crm, target }),
  history: [{ cycle: 3, previous: "processing", value: "canceled" }],
  conflict: Option.none()
})

const queued = (overrides: Partial<QueuedConflict> = {}): QueuedConflict => ({
  field: "status",
  reason: "bothChanged",
  detail: "both sides changed status",
  crm: "open",
  target: "completed",
  base: Option.some({ crm: "closed", target: "canceled" }),
  since: 4,
  resolution: Option.none(),
  ...overrides
})

/** Registers the sync state tests inside the current describe; `fresh` makes a new empty database for each test. */
export const syncStatesContract = (fresh: Effect.Effect<FreshDatabase, unknown, Scope.Scope>): void => {
  it.scoped("sync: field states round-trip per record and field, values in each side's own terms (null, \"\" and absent apart)", () =>
    Effect.gen(function*() {
      const db = yield* fresh
      const store = yield* openStore(db)
      const states = {
        status: synced("closed", "canceled"),
        name: synced("", null),
        "customFields.crmPriority": { base: Option.none(), history: [], conflict: Option.none() }
      }
      yield* store.putFieldStates("job", "KC-1", states)
      yield* store.putFieldStates("other", "KC-1", { status: synced("open", "processing") })
      // A second connection reads what the first wrote: it is in the database, not in memory.
      const again = yield* openStore(db)
      const read = yield* again.getFieldStates("job", ["KC-1", "KC-2"])
      expect(read.get("KC-1")).toEqual(states)
      expect(read.has("KC-2")).toBe(false)
      expect((yield* again.getFieldStates("other", ["KC-1"])).get("KC-1")?.status).toEqual(synced("open", "processing"))
    }))

  it.scoped("sync: a queued conflict is listed with a stable id, resolved, kept through updates and gone when the field leaves the queue", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      const base = synced("closed", "canceled")
      yield* store.putFieldStates("job", "KC-1", { status: { ...base, conflict: Option.some(queued()) }, name: synced("a", "a") })
      const [listed, ...more] = yield* store.listConflicts("job")
      expect(more).toEqual([])
      expect(listed).toMatchObject({ id: conflictId("job", "KC-1", "status"), job: "job", sourceKey: "KC-1", field: "status" })
      expect(listed!.conflict).toEqual(queued())
      expect((yield* store.getFieldStates("job", ["KC-1"])).get("KC-1")?.status?.conflict).toEqual(Option.some(queued()))

      const [resolved] = yield* store.resolveConflicts("job", [listed!.id], { _tag: "value", value: "reopened" })
      expect(resolved!.conflict.resolution).toEqual(Option.some({ _tag: "value", value: "reopened" }))
      expect((yield* store.listConflicts("job"))[0]!.conflict.resolution).toEqual(Option.some({ _tag: "value", value: "reopened" }))

      // Re-queued with new values (a newer edit re-opened it): same entry, same id, first opening time.
      const reopened = queued({ crm: "pending", resolution: Option.none() })
      yield* store.putFieldStates("job", "KC-1", { status: { ...base, conflict: Option.some(reopened) } })
      const [after] = yield* store.listConflicts("job")
      expect(after).toEqual({ ...listed!, conflict: reopened })

      yield* store.putFieldStates("job", "KC-1", { status: base })
      expect(yield* store.listConflicts("job")).toEqual([])
      expect((yield* store.getFieldStates("job", ["KC-1"])).get("KC-1")?.status).toEqual(base)
    }))

  it.scoped("sync: resolving an unknown id is NotFound and changes nothing; --all resolves every one of the job", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.putFieldStates("job", "KC-1", { status: { ...synced("a", "b"), conflict: Option.some(queued()) } })
      yield* store.putFieldStates("job", "KC-2", { name: { ...synced("a", "b"), conflict: Option.some(queued({ field: "name" })) } })
      yield* store.putFieldStates("other", "KC-3", { name: { ...synced("a", "b"), conflict: Option.some(queued({ field: "name" })) } })
      const ids = (yield* store.listConflicts("job")).map((c) => c.id)
      const error = yield* Effect.flip(store.resolveConflicts("job", [ids[0]!, "cnope"], { _tag: "crm" }))
      expect(error.reason).toBe("NotFound")
      expect(error.message).toContain("cnope")
      expect((yield* store.listConflicts("job")).map((c) => c.conflict.resolution)).toEqual([Option.none(), Option.none()])

      const all = yield* store.resolveConflicts("job", "all", { _tag: "target" })
      expect(all.map((c) => c.id)).toEqual(ids)
      expect((yield* store.listConflicts("job")).map((c) => c.conflict.resolution)).toEqual([
        Option.some({ _tag: "target" }),
        Option.some({ _tag: "target" })
      ])
      expect((yield* store.listConflicts("other"))[0]!.conflict.resolution).toEqual(Option.none())
    }))

  it.scoped("sync: each side's write is journalled sent before it leaves and confirmed on its answer", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      const error = yield* Effect.flip(store.markSideConfirmed("job", "KC-1", "crm", "run-1"))
      expect(error.reason).toBe("InvalidTransition")
      yield* store.markSideSent({ job: "job", sourceKey: "KC-1", side: "crm", body: { status: "closed" }, runId: "run-1" })
      yield* store.markSideSent({ job: "job", sourceKey: "KC-1", side: "target", body: { name: "x" }, runId: "run-1" })
      expect((yield* store.listSideWrites("job", "sent")).map((w) => [w.side, w.body])).toEqual([
        ["crm", { status: "closed" }],
        ["target", { name: "x" }]
      ])
      yield* store.markSideConfirmed("job", "KC-1", "crm", "run-2")
      expect((yield* store.listSideWrites("job", "sent")).map((w) => w.side)).toEqual(["target"])
      expect((yield* store.listSideWrites("job", "confirmed")).map((w) => [w.side, w.runId])).toEqual([["crm", "run-2"]])
    }))

  it.scoped("sync: the journal lists the writes whose key starts with a prefix, in a state, and no others (a % or _ in it is text)", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      for (const sourceKey of ["target:C-1", "target:C-2", "KC-1", "targetX", "t%rget:C-3"]) {
        yield* store.markSideSent({ job: "job", sourceKey, side: "crm", body: null, runId: "run-1" })
        yield* store.markSideConfirmed("job", sourceKey, "crm", "run-1")
      }
      yield* store.markSideSent({ job: "job", sourceKey: "target:C-9", side: "crm", body: null, runId: "run-2" })
      expect((yield* store.listSideWrites("job", "confirmed", "target:")).map((w) => w.sourceKey)).toEqual(["target:C-1", "target:C-2"])
      expect((yield* store.listSideWrites("job", undefined, "target:")).map((w) => w.sourceKey)).toEqual(["target:C-1", "target:C-2", "target:C-9"])
      expect((yield* store.listSideWrites("job", "confirmed", "t_rget")).map((w) => w.sourceKey)).toEqual([])
    }))

  it.scoped("sync: a create's answer keeps the id of what it made, so a cycle that dies before linking it leaves that case to link", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.markSideSent({ job: "job", sourceKey: "target:C-1", side: "crm", body: { title: "x" }, runId: "run-1" })
      yield* store.markSideSent({ job: "job", sourceKey: "target:C-2", side: "crm", body: { title: "y" }, runId: "run-1" })
      yield* store.markSideConfirmed("job", "target:C-1", "crm", "run-1", "KC-9")
      // Adopting what a person named keeps their word when no other id is given.
      yield* store.resolveSentWrite("job", "target:C-2", "crm", { _tag: "made", id: "KC-7" })
      yield* store.markSideConfirmed("job", "target:C-2", "crm", "run-2")
      expect((yield* store.listSideWrites("job", "confirmed")).map((w) => [w.sourceKey, w.resolvedAs])).toEqual([
        ["target:C-1", "KC-9"],
        ["target:C-2", "KC-7"]
      ])
      // A new send is a new question: the earlier answer does not carry over.
      yield* store.markSideSent({ job: "job", sourceKey: "target:C-1", side: "crm", body: { title: "x2" }, runId: "run-3" })
      expect((yield* store.listSideWrites("job", "sent")).map((w) => [w.sourceKey, w.resolvedAs])).toEqual([["target:C-1", null]])
    }))

  it.scoped("sync: a person's word on a write sent without an answer: the record it made is kept with it, or the write is forgotten", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      const notWaiting = yield* Effect.flip(store.resolveSentWrite("job", "target:C-1", "crm", { _tag: "made", id: "KC-9" }))
      expect(notWaiting.reason).toBe("NotFound")
      yield* store.markSideSent({ job: "job", sourceKey: "target:C-1", side: "crm", body: { title: "x" }, runId: "run-1" })
      yield* store.markSideSent({ job: "job", sourceKey: "target:C-2", side: "crm", body: { title: "y" }, runId: "run-1" })
      expect((yield* store.listSideWrites("job", "sent")).map((w) => w.resolvedAs)).toEqual([null, null])

      yield* store.resolveSentWrite("job", "target:C-1", "crm", { _tag: "made", id: "KC-9" })
      yield* store.resolveSentWrite("job", "target:C-2", "crm", { _tag: "notMade" })
      expect((yield* store.listSideWrites("job")).map((w) => [w.sourceKey, w.writeState, w.resolvedAs, w.body])).toEqual([
        ["target:C-1", "sent", "KC-9", { title: "x" }]
      ])
      // A new send of the same write is a new question: the earlier answer does not carry over.
      yield* store.markSideSent({ job: "job", sourceKey: "target:C-1", side: "crm", body: { title: "x2" }, runId: "run-2" })
      expect((yield* store.listSideWrites("job", "sent")).map((w) => [w.sourceKey, w.resolvedAs])).toEqual([["target:C-1", null]])
      // A confirmed write has its answer: nothing to resolve.
      yield* store.markSideConfirmed("job", "target:C-1", "crm", "run-2")
      const answered = yield* Effect.flip(store.resolveSentWrite("job", "target:C-1", "crm", { _tag: "notMade" }))
      expect(answered.reason).toBe("NotFound")
      expect((yield* store.listSideWrites("job")).map((w) => [w.sourceKey, w.writeState])).toEqual([["target:C-1", "confirmed"]])
    }))
}
