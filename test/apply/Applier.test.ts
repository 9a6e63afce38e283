import { it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { applyPlan, type CaseWriter, rejectColumns, resultColumns } from "../../src/apply/Applier.js"
import { lookupInIndex } from "../../src/apply/TargetLookup.js"
import { openCsvOutput } from "../../src/apply/CsvOutput.js"
import type { Case } from "../../src/domain/peach/Case.js"
import { Conflict, type HttpRequestError, Invalid, Transport } from "../../src/http/HttpRequestError.js"
import type { PlanItem } from "../../src/plan/Plan.js"
import { indexTargetCases } from "../../src/plan/TargetIndex.js"
import { Progress, silentProgress } from "../../src/progress/Progress.js"
import { StateStore } from "../../src/state/StateStore.js"

// An in-memory target with scripted faults: what a flaky network does to a create.
const makeTarget = (script: { dropAfterCommit?: Set<string>; dropBeforeCommit?: Set<string>; invalid?: Set<string> } = {}) => {
  const cases = new Map<string, Case>()
  let sequence = 0
  const requests: Array<string> = []
  const writer: CaseWriter = {
    createCase: (personId, body) =>
      Effect.suspend((): Effect.Effect<Case, HttpRequestError> => {
        requests.push(`POST ${body.externalId}`)
        const ext = body.externalId!
        if (script.invalid?.has(ext)) {
          return Effect.fail(new Invalid({ method: "POST", url: "/cases", attempt: 1, status: 400, fieldErrors: [{ field: "customFields.x", message: "unknown custom field" }] }))
        }
        if (script.dropBeforeCommit?.delete(ext)) {
          return Effect.fail(new Transport({ method: "POST", url: "/cases", attempt: 1, reason: "ConnectionLost", detail: "socket hang up", ambiguous: true }))
        }
        if ([...cases.values()].some((c) => c.externalId === ext)) {
          return Effect.fail(new Conflict({ method: "POST", url: "/cases", attempt: 1, status: 409, fieldErrors: [] }))
        }
        const kase: Case = {
          id: `CS-TEST-${++sequence}`,
          object: "case",
          createdAt: "2026-01-01T00:00:00.000Z",
          updatedAt: `2026-01-01T00:00:0${sequence % 10}.000Z`,
          externalId: ext,
          people: [personId],
          borrowerIds: [personId],
          name: body.name ?? "Legacy",
          status: body.status ?? "initiated",
          typeId: body.typeId
        }
        cases.set(kase.id, kase)
        if (script.dropAfterCommit?.delete(ext)) {
          return Effect.fail(new Transport({ method: "POST", url: "/cases", attempt: 1, reason: "ConnectionLost", detail: "socket hang up", ambiguous: true }))
        }
        return Effect.succeed(kase)
      }),
    updateCase: (_personId, caseId, body) =>
      Effect.sync(() => {
        requests.push(`PUT ${caseId}`)
        const updated = { ...cases.get(caseId)!, ...body, updatedAt: "2026-02-02T00:00:00.000Z" } as Case
        cases.set(caseId, updated)
        return updated
      }),
    findCaseByExternalId: (_personId, externalId) =>
      Effect.sync(() => {
        requests.push(`GET ext-${externalId}`)
        return Option.fromNullable([...cases.values()].find((c) => c.externalId === externalId))
      })
  }
  return { cases, writer, requests }
}

const create = (n: number, status: Case["status"] = "initiated"): PlanItem => ({
  _tag: "create",
  sourceKey: `LG-${n}`,
  externalId: `legacy-LG-${n}`,
  location: { _tag: "csv", file: "cases.csv", line: n + 1 },
  personId: "BO-AAAA-0001",
  body: { typeId: "101", externalId: `legacy-LG-${n}`, status },
  values: { status }
})

/** The plan's update of LG-1 (status initiated → completed), made against the case at `targetUpdatedAt`. */
const completeLG1 = (caseId: string, targetUpdatedAt: string | null): PlanItem => ({
  _tag: "update",
  sourceKey: "LG-1",
  externalId: "legacy-LG-1",
  location: { _tag: "csv", file: "cases.csv", line: 2 },
  personId: "BO-AAAA-0001",
  caseId,
  targetUpdatedAt,
  changes: [{ field: "status", before: "initiated", after: "completed" }],
  body: { status: "completed" },
  values: { status: "completed" }
})

const run = (target: ReturnType<typeof makeTarget>, items: Array<PlanItem> | Stream.Stream<PlanItem>, dir = fs.mkdtempSync(path.join(os.tmpdir(), "apply-"))) =>
  Effect.gen(function*() {
    const targets = yield* indexTargetCases(Stream.fromIterable(target.cases.values()), ["status"])
    const results = yield* openCsvOutput(path.join(dir, "results.csv"), resultColumns)
    const rejects = yield* openCsvOutput(path.join(dir, "rejects.csv"), rejectColumns)
    const counts = yield* applyPlan({
      job: "t",
      runId: `run-${Math.random()}`,
      planId: "p",
      items: Array.isArray(items) ? Stream.fromIterable(items) : items,
      targets: lookupInIndex(targets),
      writer: target.writer,
      results,
      rejects,
      concurrency: 2
    })
    return { counts, dir }
  }).pipe(Effect.scoped)

const layer = StateStore.layerSqlite({ filename: ":memory:" })

describe("applyPlan", () => {
  it.effect("creates each case once, with one request per case", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      const { counts, dir } = yield* run(target, [create(1), create(2)])
      expect(counts).toMatchObject({ read: 2, create: 2 })
      expect(target.requests).toEqual(["POST legacy-LG-1", "POST legacy-LG-2"])
      expect(fs.readFileSync(path.join(dir, "results.csv"), "utf8")).toContain("legacy-LG-1,cases.csv:2,BO-AAAA-0001,CS-TEST-")
      const ledger = yield* (yield* StateStore).countByState("t")
      expect(ledger.confirmed).toBe(2)
    }).pipe(Effect.provide(layer)))

  it.effect("checks ext-<externalId> after a create whose connection dropped, and does not create twice", () =>
    Effect.gen(function*() {
      const target = makeTarget({ dropAfterCommit: new Set(["legacy-LG-1"]) })
      const { counts } = yield* run(target, [create(1)])
      expect(counts.create).toBe(1)
      expect(target.requests).toEqual(["POST legacy-LG-1", "GET ext-legacy-LG-1"])
      expect(target.cases.size).toBe(1)
    }).pipe(Effect.provide(layer)))

  it.effect("sends the create again when the check finds it did not land", () =>
    Effect.gen(function*() {
      const target = makeTarget({ dropBeforeCommit: new Set(["legacy-LG-1"]) })
      const { counts } = yield* run(target, [create(1)])
      expect(counts.create).toBe(1)
      expect(target.requests).toEqual(["POST legacy-LG-1", "GET ext-legacy-LG-1", "POST legacy-LG-1"])
      expect(target.cases.size).toBe(1)
    }).pipe(Effect.provide(layer)))

  it.effect("turns a refused create into a reject with the server's field message", () =>
    Effect.gen(function*() {
      const target = makeTarget({ invalid: new Set(["legacy-LG-1"]) })
      const { counts, dir } = yield* run(target, [create(1)])
      expect(counts).toMatchObject({ read: 1, reject: 1 })
      const rejects = fs.readFileSync(path.join(dir, "rejects.csv"), "utf8")
      expect(rejects).toContain("customFields.x")
      expect(rejects).toContain("unknown custom field")
    }).pipe(Effect.provide(layer)))

  it.effect("resumes an interrupted apply: a create that landed is confirmed, not repeated", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      const store = yield* StateStore
      // The earlier run marked LG-1 sent, the create landed, then the process died.
      yield* store.recordPlanned([{ job: "t", sourceKey: "LG-1", externalId: "legacy-LG-1", location: "cases.csv:2", action: "create", runId: "old" }])
      yield* store.markSent({ job: "t", sourceKey: "LG-1", location: "cases.csv:2" }, "old")
      yield* target.writer.createCase("BO-AAAA-0001", { typeId: "101", externalId: "legacy-LG-1", status: "initiated" })
      target.requests.length = 0
      const { counts } = yield* run(target, [create(1), create(2)])
      expect(counts.create).toBe(2)
      expect(target.requests).toEqual(["POST legacy-LG-2"])
      expect(target.cases.size).toBe(2)
    }).pipe(Effect.provide(layer)))

  it.effect("applies the same plan again (a resumed apply --plan): its own writes are done, not conflicts, and the ledger stays confirmed", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      const kase = yield* target.writer.createCase("BO-AAAA-0001", { typeId: "101", externalId: "legacy-LG-1", status: "initiated" })
      const update = completeLG1(kase.id, kase.updatedAt ?? null)
      const plan = [update, create(2), create(3)]
      const first = yield* run(target, plan)
      expect(first.counts).toMatchObject({ read: 3, create: 2, update: 1, conflict: 0 })
      target.requests.length = 0
      // The same plan file, applied again: every write it holds was made and confirmed by the first run.
      const again = yield* run(target, plan)
      expect(again.counts).toMatchObject({ read: 3, create: 2, update: 1, conflict: 0 })
      expect(target.requests).toEqual([])
      expect(target.cases.size).toBe(3)
      expect(fs.readFileSync(path.join(again.dir, "results.csv"), "utf8")).toContain("earlier")
      expect(yield* (yield* StateStore).countByState("t")).toEqual({ planned: 0, sent: 0, confirmed: 3, rejected: 0 })

      // Someone edits LG-2 in the target; the old plan, applied once more, is a conflict there and writes
      // nothing, and the row keeps the confirmation it had (it is not left looking planned).
      const [lg2] = [...target.cases.values()].filter((c) => c.externalId === "legacy-LG-2")
      target.cases.set(lg2!.id, { ...lg2!, status: "completed", updatedAt: "2026-03-03T00:00:00.000Z" })
      const before = (yield* (yield* StateStore).getEntries("t", ["LG-2"])).get("LG-2")
      const stale = yield* run(target, plan)
      expect(stale.counts).toMatchObject({ read: 3, create: 1, update: 1, conflict: 1 })
      expect(target.requests).toEqual([])
      expect(yield* (yield* StateStore).countByState("t")).toEqual({ planned: 0, sent: 0, confirmed: 3, rejected: 0 })
      const after = (yield* (yield* StateStore).getEntries("t", ["LG-2"])).get("LG-2")
      expect(after).toMatchObject({ caseId: before?.caseId, snapshot: before?.snapshot, targetUpdatedAt: before?.targetUpdatedAt })
    }).pipe(Effect.provide(layer)))

  it.effect("refuses an update whose target moved since the plan, and a create whose externalId appeared", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      const kase = yield* target.writer.createCase("BO-AAAA-0001", { typeId: "101", externalId: "legacy-LG-1", status: "initiated" })
      // Someone else created legacy-LG-2 by hand after the plan was made.
      yield* target.writer.createCase("BO-AAAA-0001", { typeId: "101", externalId: "legacy-LG-2", status: "initiated" })
      target.requests.length = 0
      const stale = completeLG1(kase.id, "2025-12-31T00:00:00.000Z")
      const { counts, dir } = yield* run(target, [stale, create(2)])
      expect(counts).toMatchObject({ read: 2, conflict: 2 })
      expect(target.requests).toEqual([])
      expect(fs.readFileSync(path.join(dir, "results.csv"), "utf8")).toContain("changed since the plan")
    }).pipe(Effect.provide(layer)))

  it.effect("rejects a later duplicate of a key without touching the ledger row of the first record", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      const duplicate: PlanItem = {
        _tag: "reject",
        location: { _tag: "csv", file: "cases.csv", line: 30 },
        sourceKey: "LG-1",
        externalId: "legacy-LG-1",
        field: "externalId",
        reason: "externalId legacy-LG-1 already produced by cases.csv:2",
        raw: { case_id: "LG-1" }
      }
      const { counts, dir } = yield* run(target, [create(1), duplicate, create(2)])
      expect(counts).toMatchObject({ read: 3, create: 2, reject: 1 })
      expect(target.cases.size).toBe(2)
      const row = (yield* (yield* StateStore).getEntries("t", ["LG-1"])).get("LG-1")
      expect(row).toMatchObject({ writeState: "confirmed", location: "cases.csv:2", rejectReason: null })
      expect(fs.readFileSync(path.join(dir, "rejects.csv"), "utf8")).toContain("cases.csv:30")
    }).pipe(Effect.provide(layer)))

  it.effect("refuses, per item, a create whose body writes another externalId; the rest is applied", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      yield* target.writer.createCase("BO-AAAA-0001", { typeId: "101", externalId: "legacy-LG-2", status: "initiated" })
      target.requests.length = 0
      const edited = { ...create(1), body: { typeId: "101", externalId: "legacy-LG-2", status: "initiated" } } as PlanItem
      const { counts, dir } = yield* run(target, [edited, create(3)])
      expect(counts).toMatchObject({ read: 2, create: 1, reject: 1 })
      expect(target.requests).toEqual(["POST legacy-LG-3"])
      const rejects = fs.readFileSync(path.join(dir, "rejects.csv"), "utf8")
      expect(rejects).toContain("cases.csv:2")
      expect(rejects).toContain("legacy-LG-2")
      expect((yield* (yield* StateStore).getEntries("t", ["LG-1"])).size).toBe(0)
    }).pipe(Effect.provide(layer)))

  it.effect("counts a 409 whose case is not under the item's borrower as that item's conflict, and goes on", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      // The externalId is taken in the target by a case of another borrower, made after the target was read.
      const taken = {
        ...target,
        writer: {
          ...target.writer,
          createCase: (personId: string, body: Parameters<CaseWriter["createCase"]>[1]) =>
            body.externalId === "legacy-LG-1"
              ? Effect.fail(new Conflict({ method: "POST", url: "/cases", attempt: 1, status: 409, fieldErrors: [] }))
              : target.writer.createCase(personId, body)
        }
      }
      const { counts, dir } = yield* run(taken, [create(1), create(2)])
      expect(counts).toMatchObject({ read: 2, create: 1, conflict: 1 })
      expect(fs.readFileSync(path.join(dir, "results.csv"), "utf8")).toContain("not under borrower BO-AAAA-0001")
    }).pipe(Effect.provide(layer)))

  it.live("keeps the window full: a slow write does not hold back the items after it, even those of the next ledger batch", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      const release = yield* Deferred.make<void>()
      const slow: CaseWriter = {
        ...target.writer,
        createCase: (personId, body) =>
          body.externalId === "legacy-LG-1"
            ? Effect.zipRight(Deferred.await(release), target.writer.createCase(personId, body))
            : target.writer.createCase(personId, body)
      }
      // 250 items: more than one batch of ledger rows (200); LG-1 waits until LG-240 has been sent.
      const running = yield* Effect.fork(run({ ...target, writer: slow }, Array.from({ length: 250 }, (_, i) => create(i + 1))))
      const reached = yield* Effect.promise(async () => {
        for (let waited = 0; waited < 10_000; waited += 20) {
          if (target.requests.includes("POST legacy-LG-240")) return true
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        return false
      })
      yield* Deferred.succeed(release, undefined)
      const { counts } = yield* Fiber.join(running)
      expect(reached, "LG-240 was sent while LG-1 was still in flight").toBe(true)
      expect(counts).toMatchObject({ read: 250, create: 250 })
      expect(target.requests.filter((r) => r.startsWith("POST")).length).toBe(250)
    }).pipe(Effect.provide(layer)))

  it.live("sends the first writes before a whole ledger batch of the plan has been read", () =>
    Effect.gen(function*() {
      const target = makeTarget()
      const more = yield* Deferred.make<void>()
      // The plan's items after the 20th come only once released: the first writes must not wait for them.
      const items = Stream.concat(
        Stream.fromIterable(Array.from({ length: 20 }, (_, i) => create(i + 1))),
        Stream.unwrap(Effect.as(Deferred.await(more), Stream.fromIterable(Array.from({ length: 230 }, (_, i) => create(i + 21)))))
      )
      const running = yield* Effect.fork(run(target, items))
      const sent = yield* Effect.promise(async () => {
        for (let waited = 0; waited < 5_000; waited += 20) {
          if (target.requests.includes("POST legacy-LG-1")) return true
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        return false
      })
      yield* Deferred.succeed(more, undefined)
      const { counts } = yield* Fiber.join(running)
      expect(sent, "LG-1 was sent before the rest of the plan was read").toBe(true)
      expect(counts).toMatchObject({ read: 250, create: 250 })
    }).pipe(Effect.provide(layer)))

  it.effect("sends the first write before the next ledger batch is read and recorded", () =>
    Effect.gen(function*() {
      const events: Array<string> = []
      const target = makeTarget()
      const writer: CaseWriter = {
        ...target.writer,
        createCase: (personId, body) => Effect.zipRight(Effect.sync(() => events.push("POST")), target.writer.createCase(personId, body))
      }
      // The ledger rows of a batch are recorded when it is prepared; the second batch's must wait for the first write.
      const store = Layer.effect(StateStore, Effect.map(StateStore, (store) => ({
        ...store,
        recordPlanned: (entries: Parameters<typeof store.recordPlanned>[0]) => Effect.zipRight(Effect.sync(() => events.push(`planned ${entries.length}`)), store.recordPlanned(entries))
      }))).pipe(Layer.provide(layer))
      const { counts } = yield* run({ ...target, writer }, Array.from({ length: 250 }, (_, i) => create(i + 1))).pipe(Effect.provide(store))
      expect(counts.create).toBe(250)
      expect(events.slice(0, 2)).toEqual(["planned 2", "POST"])
    }))

  it.effect("reports the items done to the run's progress in chunks, not one by one", () =>
    Effect.gen(function*() {
      const advances: Array<number> = []
      const progress = { ...silentProgress, advance: (n: number) => Effect.sync(() => void advances.push(n)) }
      const items = Array.from({ length: 120 }, (_, i) => create(i + 1))
      const { counts } = yield* run(makeTarget(), items).pipe(Effect.provideService(Progress, progress))
      expect(counts.read).toBe(120)
      expect(advances).toEqual([50, 50, 20])
    }).pipe(Effect.provide(layer)))
})
