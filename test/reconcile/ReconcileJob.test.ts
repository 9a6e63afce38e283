import { it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { describe, expect } from "vitest"
import type { Case } from "../../src/domain/peach/Case.js"
import type { MappedRecord, RecordMapper } from "../../src/plan/Planner.js"
import { indexBorrowers } from "../../src/plan/TargetIndex.js"
import { formatChecksum } from "../../src/reconcile/Checksum.js"
import { reconcileJob } from "../../src/reconcile/ReconcileJob.js"
import type { SourceItem } from "../../src/sources/SourceRecord.js"
import { StateStore } from "../../src/state/StateStore.js"

const record = (line: number, data: Record<string, string>): SourceItem => ({
  _tag: "Record",
  location: { _tag: "csv", file: "cases.csv", line },
  data
})

// A mapping in miniature: key, borrower and status; an empty status is refused.
const mapper: RecordMapper = {
  ownedFields: ["status"],
  map: (source) =>
    Effect.succeed(
      source.data.status === ""
        ? Either.left({ field: "status", reason: "status is required", externalId: `legacy-${source.data.key}` })
        : Either.right<MappedRecord>({
          sourceKey: String(source.data.key),
          externalId: `legacy-${source.data.key}`,
          borrower: { externalId: "BRW-1" },
          body: { typeId: "101", status: source.data.status },
          values: { status: source.data.status }
        })
    )
}

const kase = (id: string, externalId: string, status: Case["status"]): Case => ({
  id,
  object: "case",
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-02T00:00:00.000Z",
  externalId,
  people: ["BO-1"],
  borrowerIds: ["BO-1"],
  name: "Legacy servicing case",
  status,
  typeId: "101"
})

const run = (source: Array<SourceItem>, cases: Array<Case>, template = "legacy-{key}") =>
  Effect.gen(function*() {
    const borrowers = yield* indexBorrowers(Stream.make({ id: "BO-1", externalId: "BRW-1" }))
    return yield* reconcileJob({
      job: "t",
      mapper,
      externalIdTemplate: template,
      twoWayFields: new Set(),
      source: Stream.fromIterable(source),
      targetCases: Stream.fromIterable(cases),
      borrowers
    }, (fixes) => Effect.map(Stream.runCollect(fixes), Chunk.toArray))
  })

describe("reconcileJob", () => {
  it.effect("reports one externalId on two target cases, and counts both in the target's checksum", () =>
    Effect.gen(function*() {
      const { reconciliation } = yield* run(
        [record(2, { key: "1", status: "initiated" })],
        [kase("CS-1", "legacy-1", "initiated"), kase("CS-2", "legacy-1", "initiated")]
      )
      expect(reconciliation.duplicates).toEqual([{ externalId: "legacy-1", caseIds: ["CS-1", "CS-2"] }])
      expect(reconciliation.counts).toMatchObject({ inSync: 1, duplicates: 1, missing: 0, orphans: 0 })
      expect(reconciliation.checksums.target.count).toBe(2)
      expect(formatChecksum(reconciliation.checksums.target)).not.toBe(formatChecksum(reconciliation.checksums.source))
    }).pipe(Effect.provide(StateStore.layerSqlite({ filename: ":memory:" }))))

  it.effect("finds orphans by the template's pattern only, naming a source record the mapping rejects; other jobs' cases are not orphans", () =>
    Effect.gen(function*() {
      const { reconciliation } = yield* run(
        [record(2, { key: "1", status: "initiated" }), record(3, { key: "2", status: "" })],
        [kase("CS-1", "legacy-1", "initiated"), kase("CS-2", "legacy-2", "initiated"), kase("CS-3", "khoros-9", "initiated")]
      )
      expect(reconciliation.orphans).toEqual([
        { externalId: "legacy-2", caseId: "CS-2", personIds: ["BO-1"], sourceRejected: "status is required" }
      ])
      expect(reconciliation.counts).toMatchObject({ read: 2, rejected: 1, compared: 1 })
      // The target's checksum covers this job's cases: the orphan is in it, the CRM's case is not.
      expect(reconciliation.checksums.target.count).toBe(2)
      const unchecked = yield* run([record(2, { key: "1", status: "initiated" })], [kase("CS-3", "khoros-9", "initiated")], "{key}")
      expect(unchecked.reconciliation.orphansChecked).toBe(false)
      expect(unchecked.reconciliation.orphans).toEqual([])
    }).pipe(Effect.provide(StateStore.layerSqlite({ filename: ":memory:" }))))

  it.effect("reports a write sent and never resolved, and compares only the first record of an externalId", () =>
    Effect.gen(function*() {
      const store = yield* StateStore
      yield* store.recordPlanned([{ job: "t", sourceKey: "1", externalId: "legacy-1", location: "cases.csv:2", action: "create", runId: "r1" }])
      yield* store.markSent({ job: "t", sourceKey: "1", location: "cases.csv:2" }, "r1")
      const { fixes, reconciliation } = yield* run(
        [record(2, { key: "1", status: "initiated" }), record(3, { key: "1", status: "completed" })],
        []
      )
      expect(reconciliation.ledger).toEqual([
        expect.objectContaining({ externalId: "legacy-1", writeState: "sent", reason: "SentUnresolved" })
      ])
      expect(reconciliation.counts).toMatchObject({ missing: 1, rejected: 1, ledger: 1 })
      expect(fixes.map((f) => [f._tag, f.values])).toEqual([["create", { status: "initiated" }]])
    }).pipe(Effect.provide(StateStore.layerSqlite({ filename: ":memory:" }))))
})
