import { it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { describe, expect } from "vitest"
import { Schema } from "effect"
import { Case } from "../../src/domain/peach/Case.js"
import { type MappedRecord, planItems, type RecordMapper } from "../../src/plan/Planner.js"
import { openPlanScratch } from "../../src/plan/PlanScratch.js"
import { indexBorrowers, indexTargetCases, indexTargetCasesIn } from "../../src/plan/TargetIndex.js"
import type { SourceItem } from "../../src/sources/SourceRecord.js"
import { StateStore } from "../../src/state/StateStore.js"

const record = (line: number, data: Record<string, string>): SourceItem => ({
  _tag: "Record",
  location: { _tag: "csv", file: "cases.csv", line },
  data
})

// A mapping in miniature: key, borrower and status; an empty status is refused.
const mapper: RecordMapper = {
  ownedFields: ["status", "customFields.code"],
  map: (source) =>
    Effect.succeed(
      source.data.status === ""
        ? Either.left({ field: "status", reason: "status is required" })
        : Either.right<MappedRecord>({
          sourceKey: String(source.data.key),
          externalId: `legacy-${source.data.key}`,
          borrower: { externalId: String(source.data.borrower) },
          body: { typeId: "101", status: source.data.status, customFields: { code: source.data.key } },
          values: { status: source.data.status, "customFields.code": source.data.key }
        })
    )
}

const existing = (externalId: string, status: Case["status"], code: string): Case => ({
  id: "CS-AAAA-0001",
  object: "case",
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-02T00:00:00.000Z",
  externalId,
  people: ["BO-AAAA-0001"],
  borrowerIds: ["BO-AAAA-0001"],
  name: "Legacy servicing case",
  status,
  customFields: { code, other: "kept" },
  typeId: "101"
})

// As `plan` runs: the target index and the keys seen so far in the scratch store on disk.
const plan = (source: Array<SourceItem>, cases: Array<Case>, include?: (item: SourceItem) => boolean) =>
  Effect.gen(function*() {
    const scratch = yield* openPlanScratch
    const targets = yield* indexTargetCasesIn(scratch, Stream.fromIterable(cases), mapper.ownedFields)
    const borrowers = yield* indexBorrowers(Stream.make({ id: "BO-AAAA-0001", externalId: "BRW-1" }))
    const planned = yield* planItems({ job: "t", mapper, source: Stream.fromIterable(source), targets, borrowers, include, claims: scratch.claim })
    const items = Chunk.toArray(yield* Stream.runCollect(planned.items))
    return { items, skipped: yield* planned.skipped }
  }).pipe(Effect.scoped, Effect.provide(StateStore.layerSqlite({ filename: ":memory:" })))

describe("planItems", () => {
  it.effect("turns every source item into exactly one plan item, in source order", () =>
    Effect.gen(function*() {
      const { items } = yield* plan(
        [
          record(2, { key: "1", borrower: "BRW-1", status: "initiated" }),
          { _tag: "Unreadable", location: { _tag: "csv", file: "cases.csv", line: 3 }, reason: "expected 3 cells, found 4", raw: "a,b,c,d" },
          record(4, { key: "2", borrower: "BRW-404", status: "initiated" }),
          record(5, { key: "3", borrower: "BRW-1", status: "" }),
          record(6, { key: "1", borrower: "BRW-1", status: "completed" }),
          record(7, { key: "4", borrower: "BRW-1", status: "completed" })
        ],
        [existing("legacy-4", "initiated", "4")]
      )
      expect(items.map((i) => i._tag)).toEqual(["create", "reject", "reject", "reject", "reject", "update"])
      expect(items[1]).toMatchObject({ field: "(record)", reason: "expected 3 cells, found 4", raw: "a,b,c,d" })
      expect(items[2]).toMatchObject({ field: "borrower", sourceKey: "2", location: { line: 4 } })
      expect(items[3]).toMatchObject({ field: "status", reason: "status is required" })
      expect(items[4]).toMatchObject({ field: "externalId", reason: expect.stringContaining("cases.csv:2") })
      expect(items[5]).toMatchObject({
        _tag: "update",
        changes: [{ field: "status", before: "initiated", after: "completed" }],
        body: { status: "completed" }
      })
    }))

  it.effect("is unchanged when the target already matches, and skips what the filter leaves out", () =>
    Effect.gen(function*() {
      const { items, skipped } = yield* plan(
        [
          record(2, { key: "4", borrower: "BRW-1", status: "initiated" }),
          record(3, { key: "5", borrower: "BRW-1", status: "initiated" })
        ],
        [existing("legacy-4", "initiated", "4")],
        (item) => item.location._tag === "csv" && item.location.line === 2
      )
      expect(items.map((i) => i._tag)).toEqual(["unchanged"])
      expect(skipped).toBe(1)
    }))

  it.effect("rejects a later record with a key already seen, even when it maps to another externalId", () =>
    Effect.gen(function*() {
      const keyed: RecordMapper = {
        ...mapper,
        map: (source) =>
          Effect.map(mapper.map(source), Either.map((m) => ({ ...m, sourceKey: String(source.data.borrower) })))
      }
      const targets = yield* indexTargetCases(Stream.empty, keyed.ownedFields)
      const borrowers = yield* indexBorrowers(Stream.make({ id: "BO-AAAA-0001", externalId: "BRW-1" }))
      const planned = yield* planItems({
        job: "t",
        mapper: keyed,
        source: Stream.make(record(2, { key: "1", borrower: "BRW-1", status: "initiated" }), record(3, { key: "2", borrower: "BRW-1", status: "initiated" })),
        targets,
        borrowers
      })
      const items = Chunk.toArray(yield* Stream.runCollect(planned.items))
      expect(items.map((i) => i._tag)).toEqual(["create", "reject"])
      expect(items[1]).toMatchObject({ field: "key", sourceKey: "BRW-1", reason: expect.stringContaining("cases.csv:2") })
    }).pipe(Effect.provide(StateStore.layerSqlite({ filename: ":memory:" }))))

  it.effect("a record rejected for its contents still claims its key: a later record with the same key is rejected, not created", () =>
    Effect.gen(function*() {
      // As the real mapping does, a rejection names the record's key and externalId when it could read them.
      const naming: RecordMapper = {
        ...mapper,
        map: (source) =>
          source.data.status === "BOGUS"
            ? Effect.succeed(Either.left({ field: "status", reason: "unknown status BOGUS", sourceKey: String(source.data.key), externalId: `legacy-${source.data.key}` }))
            : mapper.map(source)
      }
      const targets = yield* indexTargetCases(Stream.empty, naming.ownedFields)
      const borrowers = yield* indexBorrowers(Stream.make({ id: "BO-AAAA-0001", externalId: "BRW-1" }))
      const planned = yield* planItems({
        job: "t",
        mapper: naming,
        source: Stream.make(
          record(2, { key: "1", borrower: "BRW-1", status: "BOGUS" }),
          record(3, { key: "1", borrower: "BRW-1", status: "initiated" }),
          record(4, { key: "2", borrower: "BRW-404", status: "initiated" }),
          record(5, { key: "2", borrower: "BRW-1", status: "initiated" })
        ),
        targets,
        borrowers
      })
      const items = Chunk.toArray(yield* Stream.runCollect(planned.items))
      expect(items.map((i) => i._tag)).toEqual(["reject", "reject", "reject", "reject"])
      expect(items.map((i) => i._tag === "reject" ? i.field : "")).toEqual(["status", "externalId", "borrower", "externalId"])
      expect(items[1]).toMatchObject({ reason: expect.stringContaining("cases.csv:2") })
      expect(items[3]).toMatchObject({ reason: expect.stringContaining("cases.csv:4") })
    }).pipe(Effect.provide(StateStore.layerSqlite({ filename: ":memory:" }))))

  it.effect("with a filter (--only-rejects), records left out still claim their keys first: a duplicate kept in is rejected again", () =>
    Effect.gen(function*() {
      const { items, skipped } = yield* plan(
        [
          record(2, { key: "1", borrower: "BRW-1", status: "initiated" }),
          record(3, { key: "1", borrower: "BRW-1", status: "completed" }),
          record(4, { key: "2", borrower: "BRW-1", status: "initiated" })
        ],
        [existing("legacy-1", "initiated", "1")],
        (item) => item.location._tag === "csv" && item.location.line !== 2
      )
      expect(items.map((i) => i._tag)).toEqual(["reject", "create"])
      expect(items[0]).toMatchObject({ field: "externalId", location: { line: 3 }, reason: expect.stringContaining("cases.csv:2") })
      expect(skipped).toBe(1)
    }))

  it.effect("rejects, per record, a key or externalId the ledger links to another one (a changed template)", () =>
    Effect.gen(function*() {
      const store = yield* StateStore
      yield* store.recordPlanned([
        { job: "t", sourceKey: "old-1", externalId: "legacy-1", location: "cases.csv:2", action: "create", runId: "r0" },
        { job: "t", sourceKey: "2", externalId: "legacy-old-2", location: "cases.csv:3", action: "create", runId: "r0" }
      ])
      const targets = yield* indexTargetCases(Stream.empty, mapper.ownedFields)
      const borrowers = yield* indexBorrowers(Stream.make({ id: "BO-AAAA-0001", externalId: "BRW-1" }))
      const planned = yield* planItems({
        job: "t",
        mapper,
        source: Stream.make(
          record(2, { key: "1", borrower: "BRW-1", status: "initiated" }),
          record(3, { key: "2", borrower: "BRW-1", status: "initiated" }),
          record(4, { key: "3", borrower: "BRW-1", status: "initiated" })
        ),
        targets,
        borrowers
      })
      const items = Chunk.toArray(yield* Stream.runCollect(planned.items))
      expect(items.map((i) => i._tag)).toEqual(["reject", "reject", "create"])
      expect(items[0]).toMatchObject({ field: "key", sourceKey: "1", reason: expect.stringContaining("\"old-1\"") })
      expect(items[1]).toMatchObject({ field: "externalId", sourceKey: "2", reason: expect.stringContaining("legacy-old-2") })
    }).pipe(Effect.provide(StateStore.layerSqlite({ filename: ":memory:" }))))

  it.effect("plans against a target case that carries only what casesync reads", () =>
    Effect.gen(function*() {
      // A real server may leave out createdAt, name, people, object and every null.
      const lean = Schema.decodeUnknownSync(Case)({
        id: "CS-AAAA-0001",
        typeId: "101",
        externalId: "legacy-4",
        borrowerIds: ["BO-AAAA-0001"],
        status: "initiated",
        customFields: { code: "4" }
      })
      const { items } = yield* plan(
        [
          record(2, { key: "4", borrower: "BRW-1", status: "initiated" }),
          record(3, { key: "5", borrower: "BRW-1", status: "completed" })
        ],
        [lean]
      )
      expect(items.map((i) => i._tag)).toEqual(["unchanged", "create"])
    }))
})
