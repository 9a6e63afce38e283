// The ledger's part of the state-store contract (StateStoreContract.ts runs it on every backing database).
import { expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Layer, Option, type Scope, Stream } from "effect"
import type { LedgerItem, PlannedEntry } from "../../src/state/LedgerEntry.js"
import { StateStore, type StateStoreService } from "../../src/state/StateStore.js"
import type { StateStoreError } from "../../src/state/StateStoreError.js"
import type { FreshDatabase } from "./StateStoreContract.js"

const openStore = (db: FreshDatabase): Effect.Effect<StateStoreService, StateStoreError, Scope.Scope> =>
  Effect.map(Layer.build(db.open()), Context.get(StateStore))

const iso = (ms: number) => new Date(ms).toISOString()

const planned = (job: string, n: number, overrides: Partial<PlannedEntry> = {}): PlannedEntry => ({
  job,
  sourceKey: `src-${String(n).padStart(6, "0")}`,
  externalId: `ext-${n}`,
  location: `cases.csv:${n + 1}`,
  borrowerId: `b-${n % 7}`,
  action: "create",
  runId: "run-1",
  ...overrides
})

/** The plan item of `planned(job, n)`, as a transition names it. */
const item = (job: string, n: number): LedgerItem => ({ job, sourceKey: planned(job, n).sourceKey, location: planned(job, n).location })

/** Registers the ledger tests inside the current describe; `fresh` makes a new empty database for each test. */
export const ledgerContract = (fresh: Effect.Effect<FreshDatabase, unknown, Scope.Scope>): void => {
  // == ledger

  it.scoped("ledger: markAll of a group of sent rows, or of confirmed rows, moves it in one transaction, all or none", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned([planned("job", 1), planned("job", 2), planned("job", 3)])
      yield* store.markAll({ sent: [item("job", 1), item("job", 2)], confirmed: [] }, "run-2")
      expect(yield* store.countByState("job")).toEqual({ planned: 1, sent: 2, confirmed: 0, rejected: 0 })
      const entries = yield* store.getEntries("job", ["src-000001", "src-000002"])
      expect([...entries.values()].map((e) => [e.writeState, e.runId])).toEqual([["sent", "run-2"], ["sent", "run-2"]])

      // One item of the group is not the row's owner: nothing of the group moves.
      const notOwner = yield* Effect.flip(store.markAll({ sent: [item("job", 3), { ...item("job", 1), location: "cases.csv:99" }], confirmed: [] }, "run-2"))
      expect(notOwner.reason).toBe("NotOwner")
      expect((yield* store.getEntries("job", ["src-000003"])).get("src-000003")?.writeState).toBe("planned")

      const confirmation = (n: number) => ({ caseId: `CS-${n}`, snapshot: { status: "initiated" }, targetUpdatedAt: iso(n), runId: "run-2" })
      yield* store.markAll({ sent: [], confirmed: [1, 2].map((n) => ({ item: item("job", n), confirmation: confirmation(n) })) }, "run-2")
      const confirmed = yield* store.getEntries("job", ["src-000001", "src-000002"])
      expect([...confirmed.values()].map((e) => [e.writeState, e.caseId, e.snapshot])).toEqual([
        ["confirmed", "CS-1", { status: "initiated" }],
        ["confirmed", "CS-2", { status: "initiated" }]
      ])
      const unknown = yield* Effect.flip(store.markAll({
        sent: [],
        confirmed: [
          { item: item("job", 3), confirmation: confirmation(3) },
          { item: item("job", 9), confirmation: confirmation(9) }
        ]
      }, "run-2"))
      expect(unknown.reason).toBe("NotFound")
      expect((yield* store.getEntries("job", ["src-000003"])).get("src-000003")?.writeState).toBe("planned")
      // An empty group is nothing to do.
      yield* store.markAll({ sent: [], confirmed: [] }, "run-2")
    }))

  it.scoped("ledger: markAll moves the sent rows of starting writes and the confirmed rows of finished ones in one transaction, all or none", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned([1, 2, 3, 4].map((n) => planned("job", n)))
      yield* store.markAll({ sent: [item("job", 1)], confirmed: [] }, "run-2")
      const confirmation = (n: number) => ({ caseId: `CS-${n}`, snapshot: { status: "initiated" }, targetUpdatedAt: iso(n), runId: "run-2" })
      yield* store.markAll({ sent: [item("job", 2), item("job", 3)], confirmed: [{ item: item("job", 1), confirmation: confirmation(1) }] }, "run-2")
      expect(yield* store.countByState("job")).toEqual({ planned: 1, sent: 2, confirmed: 1, rejected: 0 })
      expect((yield* store.getEntries("job", ["src-000001"])).get("src-000001")?.caseId).toBe("CS-1")

      // A confirmation of a row the item does not own: the sent row of the same group does not move either.
      const notOwner = yield* Effect.flip(store.markAll({
        sent: [item("job", 4)],
        confirmed: [{ item: { ...item("job", 2), location: "cases.csv:99" }, confirmation: confirmation(2) }]
      }, "run-2"))
      expect(notOwner.reason).toBe("NotOwner")
      expect((yield* store.getEntries("job", ["src-000004"])).get("src-000004")?.writeState).toBe("planned")
      yield* store.markAll({ sent: [], confirmed: [] }, "run-2")
    }))

  it.scoped("ledger: markAll of one row makes the guarded transition, with the same errors", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned([planned("job", 1)])
      const notOwner = yield* Effect.flip(store.markAll({ sent: [{ ...item("job", 1), location: "cases.csv:99" }], confirmed: [] }, "run-2"))
      expect(notOwner.reason).toBe("NotOwner")
      const unknown = yield* Effect.flip(store.markAll({ sent: [item("job", 2)], confirmed: [] }, "run-2"))
      expect(unknown.reason).toBe("NotFound")
      yield* store.markAll({ sent: [item("job", 1)], confirmed: [] }, "run-2")
      const confirmation = { caseId: "CS-1", snapshot: { status: "initiated" }, targetUpdatedAt: iso(1), runId: "run-2" }
      yield* store.markAll({ sent: [], confirmed: [{ item: item("job", 1), confirmation }] }, "run-2")
      yield* store.markRejected(item("job", 1), { reason: "no", runId: "run-2" }).pipe(Effect.flip)
      const wrongState = yield* Effect.flip(store.markAll({ sent: [item("job", 1)], confirmed: [] }, "run-2"))
      expect(wrongState.reason).toBe("InvalidTransition")
      const entry = (yield* store.getEntries("job", ["src-000001"])).get("src-000001")
      expect([entry?.writeState, entry?.caseId, entry?.snapshot]).toEqual(["confirmed", "CS-1", { status: "initiated" }])
    }))

  it.scoped("ledger: markAll leaves every row as the one-row transitions would, in groups larger than one statement", () =>
    Effect.gen(function*() {
      const byGroup = yield* openStore(yield* fresh)
      const oneByOne = yield* openStore(yield* fresh)
      const rows = Array.from({ length: 450 }, (_, i) => planned("job", i + 1))
      const confirmation = (n: number) => ({
        caseId: `CS-${n}`,
        snapshot: { status: "initiated", "customFields.note": n % 3 === 0 ? null : `note ${n}`, "metaData.tags": ["a", n] },
        targetUpdatedAt: n % 5 === 0 ? null : iso(n),
        runId: n % 2 === 0 ? "run-2" : "run-3"
      })
      // Rows 1..300 were sent earlier; now 301..450 start and 1..300 are confirmed, in one group.
      const earlier = rows.slice(0, 300).map((_, i) => item("job", i + 1))
      const starting = rows.slice(300).map((_, i) => item("job", i + 301))
      const finished = earlier.map((it, i) => ({ item: it, confirmation: confirmation(i + 1) }))
      for (const store of [byGroup, oneByOne]) yield* store.recordPlanned(rows)
      yield* byGroup.markAll({ sent: earlier, confirmed: [] }, "run-2")
      yield* byGroup.markAll({ sent: starting, confirmed: finished }, "run-4")
      yield* Effect.forEach(earlier, (it) => oneByOne.markSent(it, "run-2"))
      yield* Effect.forEach(starting, (it) => oneByOne.markSent(it, "run-4"))
      yield* Effect.forEach(finished, ({ confirmation, item }) => oneByOne.markConfirmed(item, confirmation))
      const all = (store: StateStoreService) => Effect.map(Stream.runCollect(store.listEntries("job")), Chunk.toArray)
      const grouped = yield* all(byGroup)
      expect(grouped).toEqual(yield* all(oneByOne))
      expect(grouped.filter((e) => e.writeState === "confirmed")).toHaveLength(300)
      expect(grouped.filter((e) => e.writeState === "sent" && e.runId === "run-4")).toHaveLength(150)
    }))

  it.scoped("ledger: markAll of a group naming one row twice moves it as the one-row transitions would, in order", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned([planned("job", 1), planned("job", 2)])
      const confirmation = { caseId: "CS-1", snapshot: { status: "initiated" }, targetUpdatedAt: iso(1), runId: "run-2" }
      yield* store.markAll({ sent: [item("job", 1), item("job", 2)], confirmed: [{ item: item("job", 1), confirmation }] }, "run-2")
      const entries = yield* store.getEntries("job", ["src-000001", "src-000002"])
      expect([...entries.values()].map((e) => [e.sourceKey, e.writeState, e.caseId])).toEqual([
        ["src-000001", "confirmed", "CS-1"],
        ["src-000002", "sent", null]
      ])
    }))

  it.scoped("ledger: planned -> sent -> confirmed, and rejected, with guarded transitions", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned([planned("job", 1), planned("job", 2)])
      const one = (yield* store.getEntries("job", ["src-000001"])).get("src-000001")
      expect(one).toEqual({
        job: "job",
        sourceKey: "src-000001",
        externalId: "ext-1",
        location: "cases.csv:2",
        borrowerId: "b-1",
        caseId: null,
        writeState: "planned",
        action: "create",
        snapshot: null,
        targetUpdatedAt: null,
        rejectReason: null,
        runId: "run-1",
        updatedAt: iso(0)
      })

      const sent = yield* store.markSent(item("job", 1), "run-2")
      expect([sent.writeState, sent.runId]).toEqual(["sent", "run-2"])
      // Re-marking sent is allowed: a retried write after a crash marks again before sending.
      yield* store.markSent(item("job", 1), "run-2")
      const confirmed = yield* store.markConfirmed(item("job", 1), {
        caseId: "case-1",
        snapshot: { status: "open", tags: ["a"] },
        targetUpdatedAt: "2024-05-01T10:00:00.000Z",
        runId: "run-2"
      })
      expect(confirmed).toMatchObject({
        writeState: "confirmed",
        caseId: "case-1",
        snapshot: { status: "open", tags: ["a"] },
        targetUpdatedAt: "2024-05-01T10:00:00.000Z",
        action: "create"
      })

      const notAfterConfirm = yield* Effect.flip(store.markSent(item("job", 1), "run-3"))
      expect(notAfterConfirm.reason).toBe("InvalidTransition")
      expect(notAfterConfirm.message).toContain("confirmed")
      expect((yield* Effect.flip(store.markRejected(item("job", 1), { reason: "x", runId: "r" }))).reason)
        .toBe("InvalidTransition")

      yield* store.markSent(item("job", 2), "run-2")
      const rejected = yield* store.markRejected(item("job", 2), { reason: "422 borrower unknown", runId: "run-2" })
      expect([rejected.writeState, rejected.rejectReason]).toEqual(["rejected", "422 borrower unknown"])
      expect((yield* Effect.flip(store.markSent(item("job", 9), "run-2"))).reason).toBe("NotFound")

      expect(yield* store.countByState("job")).toEqual({ planned: 0, sent: 0, confirmed: 1, rejected: 1 })
      expect(yield* store.countByState("other-job")).toEqual({ planned: 0, sent: 0, confirmed: 0, rejected: 0 })
    }))

  it.scoped("ledger: re-planning keeps a sent row sent and moves a rejected row back to planned", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned([planned("job", 1), planned("job", 2)])
      yield* store.markSent(item("job", 1), "run-1")
      yield* store.markRejected(item("job", 2), { reason: "bad", runId: "run-1" })
      yield* store.recordPlanned([
        planned("job", 1, { runId: "run-2" }),
        planned("job", 2, { runId: "run-2", action: "create" })
      ])
      const rows = yield* store.getEntries("job", ["src-000001", "src-000002"])
      expect(rows.get("src-000001")?.writeState).toBe("sent")
      expect(rows.get("src-000002")).toMatchObject({ writeState: "planned", rejectReason: null, runId: "run-2" })
    }))

  it.scoped("ledger: a later plan never regresses a confirmed row's snapshot, case id or target version", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned([planned("job", 1), planned("job", 2)])
      for (const n of [1, 2]) {
        yield* store.markConfirmed(item("job", n), {
          caseId: `case-${planned("job", n).sourceKey}`,
          snapshot: { amount: 10 },
          targetUpdatedAt: "2024-01-01T00:00:00.000Z",
          runId: "run-1"
        })
      }
      yield* store.recordPlanned([
        planned("job", 1, { runId: "run-2", action: "update", borrowerId: null }),
        planned("job", 2, { runId: "run-2", action: "unchanged" })
      ])
      const rows = yield* store.getEntries("job", ["src-000001", "src-000002"])
      expect(rows.get("src-000001")).toMatchObject({
        writeState: "planned",
        action: "update",
        caseId: "case-src-000001",
        borrowerId: "b-1",
        snapshot: { amount: 10 },
        targetUpdatedAt: "2024-01-01T00:00:00.000Z",
        runId: "run-2"
      })
      expect(rows.get("src-000002")).toMatchObject({
        writeState: "confirmed",
        action: "unchanged",
        snapshot: { amount: 10 }
      })
    }))

  it.scoped("ledger: externalId is unique per job, and a failing batch writes nothing", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned([planned("job", 1)])
      const clash = yield* Effect.flip(store.recordPlanned([
        planned("job", 2),
        planned("job", 3, { externalId: "ext-1" })
      ]))
      expect(clash.reason).toBe("Duplicate")
      expect((yield* store.getEntries("job", ["src-000002"])).size).toBe(0)
      yield* store.recordPlanned([planned("other-job", 3, { externalId: "ext-1" })])
      const byExt = yield* store.getByExternalId("other-job", "ext-1")
      expect(Option.map(byExt, (e) => e.sourceKey)).toEqual(Option.some("src-000003"))
      expect(Option.map(yield* store.getByExternalId("job", "ext-1"), (e) => e.sourceKey))
        .toEqual(Option.some("src-000001"))
      expect(yield* store.getByExternalId("job", "ext-404")).toEqual(Option.none())
    }))

  it.scoped("ledger: a transition is made only for the record that owns the row, never for a duplicate of its key", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      // Two plan items for one key in a batch: the first (line 2) owns the row.
      yield* store.recordPlanned([planned("job", 1), planned("job", 1, { location: "cases.csv:30" })])
      const duplicate = { ...item("job", 1), location: "cases.csv:30" }
      const refused = yield* Effect.flip(store.markRejected(duplicate, { reason: "duplicate", runId: "run-1" }))
      expect(refused.reason).toBe("NotOwner")
      expect(refused.message).toContain("cases.csv:2")
      expect(refused.message).toContain("cases.csv:30")
      expect((yield* Effect.flip(store.markSent(duplicate, "run-1"))).reason).toBe("NotOwner")
      expect((yield* store.getEntries("job", ["src-000001"])).get("src-000001"))
        .toMatchObject({ writeState: "planned", location: "cases.csv:2", rejectReason: null })

      yield* store.markSent(item("job", 1), "run-1")
      yield* store.markConfirmed(item("job", 1), { caseId: "case-1", snapshot: {}, targetUpdatedAt: null, runId: "run-1" })
      expect((yield* Effect.flip(store.markConfirmed(duplicate, { caseId: "case-2", snapshot: {}, targetUpdatedAt: null, runId: "r" }))).reason)
        .toBe("NotOwner")
      // A later plan that finds the record elsewhere (lines moved) makes that location the owner.
      yield* store.recordPlanned([planned("job", 1, { location: "cases.csv:30", action: "unchanged", runId: "run-2" })])
      expect((yield* store.getEntries("job", ["src-000001"])).get("src-000001"))
        .toMatchObject({ writeState: "confirmed", location: "cases.csv:30", caseId: "case-1" })
      expect((yield* Effect.flip(store.markSent(item("job", 1), "run-2"))).reason).toBe("NotOwner")
    }))

  it.scoped("ledger: getEntriesByExternalId reads rows by externalId in large batches", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned(Array.from({ length: 700 }, (_, i) => planned("job", i)))
      yield* store.recordPlanned([planned("other-job", 1, { externalId: "ext-1" })])
      const wanted = Array.from({ length: 800 }, (_, i) => `ext-${i + 50}`)
      const found = yield* store.getEntriesByExternalId("job", wanted)
      expect(found.size).toBe(650)
      expect(found.get("ext-51")).toMatchObject({ job: "job", sourceKey: "src-000051" })
      expect(found.has("ext-750")).toBe(false)
      expect((yield* store.getEntriesByExternalId("job", [])).size).toBe(0)
    }))

  it.scoped("ledger: getEntries reads large batches and leaves unknown keys out", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      yield* store.recordPlanned(Array.from({ length: 1_200 }, (_, i) => planned("job", i)))
      const wanted = Array.from({ length: 1_300 }, (_, i) => planned("job", i + 50).sourceKey)
      const found = yield* store.getEntries("job", wanted)
      expect(found.size).toBe(1_150)
      expect(found.get("src-000050")?.externalId).toBe("ext-50")
      expect(found.has("src-001250")).toBe(false)
      expect((yield* store.getEntries("job", [])).size).toBe(0)
    }))

  it.scoped("ledger: listEntries streams every row in key order, page by page, optionally by state", () =>
    Effect.gen(function*() {
      const store = yield* openStore(yield* fresh)
      const entries = Array.from({ length: 2_500 }, (_, i) => planned("job", i))
      yield* store.recordPlanned([...entries].reverse())
      yield* store.recordPlanned([planned("other-job", 1)])
      for (let i = 0; i < 2_500; i += 3) yield* store.markSent(item("job", i), "run-1")

      for (const pageSize of [100, 333]) {
        const all = Chunk.toReadonlyArray(yield* Stream.runCollect(store.listEntries("job", { pageSize })))
        expect(all.map((e) => e.sourceKey)).toEqual(entries.map((e) => e.sourceKey))
      }
      const sent = Chunk.toReadonlyArray(
        yield* Stream.runCollect(store.listEntries("job", { writeState: "sent", pageSize: 50 }))
      )
      expect(sent.length).toBe(834)
      expect(sent.every((e) => e.writeState === "sent")).toBe(true)
      expect(sent[1].sourceKey).toBe("src-000003")
      // The stream is lazy: taking a few rows needs only the first page.
      const firstFew = yield* Stream.runCollect(Stream.take(store.listEntries("job", { pageSize: 10 }), 3))
      expect(Chunk.toReadonlyArray(firstFew).map((e) => e.sourceKey)).toEqual(["src-000000", "src-000001", "src-000002"])
      expect(yield* store.countByState("job")).toEqual({ planned: 1_666, sent: 834, confirmed: 0, rejected: 0 })
    }))
}
