import { it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import type { PlanHeader, PlanItem, PlannedCreate } from "../../src/plan/Plan.js"
import { readPlanCounts, readPlanHeader, streamPlanItems, verifyPlanFile, writePlanFile } from "../../src/plan/PlanFile.js"

const header: PlanHeader = {
  format: "casesync-plan/1",
  planId: "plan-1",
  job: "legacy-csv",
  createdAt: "2026-11-21T10:00:00.000Z",
  configDigest: "c0ffee",
  mappingDigest: "beef",
  mappingFile: "mappings/legacy-csv-to-peach.yaml",
  targetBaseUrl: "http://127.0.0.1:4010",
  source: "csv samples/csv/legacy-cases.csv"
}

const create = (n: number): PlanItem => ({
  _tag: "create",
  sourceKey: `LG-${n}`,
  externalId: `legacy-LG-${n}`,
  location: { _tag: "csv", file: "cases.csv", line: n + 1 },
  personId: "BO-AAAA-0001",
  body: { typeId: "101", name: `case "${n}",\nwith a newline` },
  values: { name: `case "${n}",\nwith a newline` }
})

const reject: PlanItem = {
  _tag: "reject",
  location: { _tag: "csv", file: "cases.csv", line: 9 },
  sourceKey: null,
  externalId: null,
  field: "opened_at",
  reason: "2023-03-12 02:30:00 does not exist in America/New_York (DST gap)",
  raw: { opened_at: "2023-03-12 02:30:00" }
}

const tempFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "plan.json")

describe("plan file", () => {
  it.effect("round-trips header, items and counts, and is plain JSON", () =>
    Effect.gen(function*() {
      const file = tempFile()
      const items = [create(1), reject, create(2)]
      const counts = yield* writePlanFile(file, header, Stream.fromIterable(items), Effect.succeed(4))
      expect(counts).toEqual({ read: 7, create: 2, update: 0, unchanged: 0, reject: 1, conflict: 0, skipped: 4 })
      expect(JSON.parse(fs.readFileSync(file, "utf8")).items).toHaveLength(3)
      expect(yield* readPlanHeader(file)).toEqual(header)
      expect(Chunk.toArray(yield* Stream.runCollect(streamPlanItems(file)))).toEqual(items)
      expect(yield* readPlanCounts(file)).toEqual(counts)
    }))

  it.effect("is compact: a create's line holds its body but not the same values again, no null a reader can restore", () =>
    Effect.gen(function*() {
      const file = tempFile()
      const typed = { ...header, ownedFields: { "101": ["name", "status", "customFields.code"] } }
      const mapped: PlanItem = {
        ...(create(1) as PlannedCreate),
        body: { typeId: "101", externalId: "legacy-LG-1", name: "n", customFields: { code: "LG-1" } },
        values: { name: "n", status: null, "customFields.code": "LG-1" }
      }
      // Values that are not what the body says (an older planner's, a hand-made plan's) are written whole.
      const unusual: PlanItem = { ...(create(2) as PlannedCreate), body: { typeId: "101", name: "x" }, values: { name: "y" } }
      const unchanged: PlanItem = {
        _tag: "unchanged", sourceKey: "LG-3", externalId: "legacy-LG-3", location: { _tag: "csv", file: "cases.csv", line: 4 },
        personId: "BO-AAAA-0001", caseId: "CS-1", targetUpdatedAt: null, values: { name: "z" }
      }
      const items = [mapped, reject, unusual, unchanged]
      yield* writePlanFile(file, typed, Stream.fromIterable(items))
      const lines = fs.readFileSync(file, "utf8").split("\n")
      expect(lines[2]).not.toContain("\"values\"")
      expect(lines[2]).not.toContain("null")
      expect(lines[3]).not.toContain("null")
      expect(lines[4]).toContain("\"values\":{\"name\":\"y\"}")
      expect(lines[5]).not.toContain("targetUpdatedAt")
      expect(Chunk.toArray(yield* Stream.runCollect(streamPlanItems(file)))).toEqual(items)
      expect((yield* verifyPlanFile(file)).header).toEqual(typed)
      expect(JSON.parse(fs.readFileSync(file, "utf8")).items).toHaveLength(4)
    }))

  it.effect("records its source file's seal in the header once the items are written, in the one pass", () =>
    Effect.gen(function*() {
      const file = tempFile()
      const options = { path: "cases.csv", delimiter: ",", quote: "\"", escape: "\"", encoding: "utf-8", gzip: "auto", header: true, skipEmptyLines: true, trim: false, maxRecordSize: 1_000_000 } as const
      const referring: PlanHeader = { ...header, ownedFields: { "101": ["name"] }, sourceFile: { options, sha256: "", size: 0 } }
      let itemsWritten = 0
      const items = Stream.make(create(1), reject, create(2)).pipe(Stream.tap(() => Effect.sync(() => void itemsWritten++)))
      // Asked for only once every item is written: the seal is known only once the source has been read.
      const seal = Effect.suspend(() => itemsWritten === 3 ? Effect.succeed({ sha256: "ab".repeat(32), size: 12_345_678 }) : Effect.die("asked too early"))
      yield* writePlanFile(file, referring, items, Effect.succeed(0), seal)
      const sealed = { ...referring, sourceFile: { options, sha256: "ab".repeat(32), size: 12_345_678 } }
      expect(yield* readPlanHeader(file)).toEqual(sealed)
      expect((yield* verifyPlanFile(file)).header).toEqual(sealed)
      expect(JSON.parse(fs.readFileSync(file, "utf8")).header).toEqual(sealed)
      const lines = fs.readFileSync(file, "utf8").split("\n")
      expect(lines[2]).not.toContain("body")
      expect(lines[3]).toContain("\"_tag\":\"reject\"")
    }))

  it.effect("a plan whose header names a source but writes no create by reference names none in the end, and asks no seal", () =>
    Effect.gen(function*() {
      const file = tempFile()
      const options = { path: "cases.csv", delimiter: ",", quote: "\"", escape: "\"", encoding: "utf-8", gzip: "auto", header: true, skipEmptyLines: true, trim: false, maxRecordSize: 1_000_000 } as const
      const referring: PlanHeader = { ...header, sourceFile: { options, sha256: "", size: 0 }, caseTypes: { "101": "Legacy" } }
      // Without owned fields in the header a create keeps its body; a reject never refers to anything.
      yield* writePlanFile(file, referring, Stream.make(create(1), reject), Effect.succeed(0), Effect.die("no seal is needed"))
      expect(yield* readPlanHeader(file)).toEqual(header)
      expect((yield* verifyPlanFile(file)).header).toEqual(header)
      expect(Chunk.toArray(yield* Stream.runCollect(streamPlanItems(file)))).toEqual([create(1), reject])
    }))

  it.effect("writes a valid empty plan", () =>
    Effect.gen(function*() {
      const file = tempFile()
      yield* writePlanFile(file, header, Stream.empty)
      expect(JSON.parse(fs.readFileSync(file, "utf8")).items).toEqual([])
      expect(Chunk.size(yield* Stream.runCollect(streamPlanItems(file)))).toBe(0)
    }))

  it.effect("leaves no file under the real name when the item stream fails", () =>
    Effect.gen(function*() {
      const file = tempFile()
      const result = yield* writePlanFile(file, header, Stream.concat(Stream.make(create(1)), Stream.fail("boom"))).pipe(Effect.flip)
      expect(result).toBe("boom")
      expect(fs.readdirSync(path.dirname(file))).toEqual([])
    }))

  it.effect("names the line of a damaged item", () =>
    Effect.gen(function*() {
      const file = tempFile()
      yield* writePlanFile(file, header, Stream.make(create(1), create(2)))
      const text = fs.readFileSync(file, "utf8").split("\n")
      text[3] = "{\"_tag\":\"create\",\"sourceKey\":1},"
      fs.writeFileSync(file, text.join("\n"))
      const error = yield* Stream.runCollect(streamPlanItems(file)).pipe(Effect.flip)
      expect(error.line).toBe(4)
      expect(error.message).toContain(":4")
    }))

  it.effect("refuses a file that is not a plan", () =>
    Effect.gen(function*() {
      const file = tempFile()
      fs.writeFileSync(file, "[]\n")
      const error = yield* readPlanHeader(file).pipe(Effect.flip)
      expect(error.reason).toContain("not a casesync plan")
    }))

  // == the digest: a reviewed plan is the plan that runs

  /** Writes a plan of three creates and a reject, then rewrites its physical lines with `edit`. */
  const tampered = (edit: (lines: Array<string>) => Array<string>) =>
    Effect.gen(function*() {
      const file = tempFile()
      yield* writePlanFile(file, header, Stream.make(create(1), reject, create(2), create(3)))
      fs.writeFileSync(file, edit(fs.readFileSync(file, "utf8").split("\n")).join("\n"))
      return yield* verifyPlanFile(file).pipe(Effect.flip)
    })

  it.effect("verifies an untouched plan and returns its header and counts", () =>
    Effect.gen(function*() {
      const file = tempFile()
      const counts = yield* writePlanFile(file, header, Stream.make(create(1), reject), Effect.succeed(2))
      expect(yield* verifyPlanFile(file)).toEqual({ header, counts })
      const empty = tempFile()
      yield* writePlanFile(empty, header, Stream.empty)
      expect((yield* verifyPlanFile(empty)).counts.read).toBe(0)
    }))

  it.effect("refuses a plan with an edited item, and says so", () =>
    Effect.gen(function*() {
      const error = yield* tampered((lines) => lines.map((line, i) => (i === 2 ? line.replace("case \\\"1\\\"", "case \\\"one\\\"") : line)))
      expect(error.reason).toContain("an item was edited")
      expect(error.message).toContain("make a new plan")
    }))

  it.effect("refuses a plan whose items were reordered", () =>
    Effect.gen(function*() {
      // Lines 3 and 5 are the first and third items (both end with a comma).
      const error = yield* tampered((lines) => lines.map((line, i) => (i === 2 ? lines[4]! : i === 4 ? lines[2]! : line)))
      expect(error.reason).toContain("reordered")
    }))

  it.effect("refuses a plan with an item cut out, or one added", () =>
    Effect.gen(function*() {
      const cut = yield* tampered((lines) => lines.filter((_, i) => i !== 3))
      expect(cut.reason).toContain("holds 3 items but was written with 4")
      const added = yield* tampered((lines) => [...lines.slice(0, 3), lines[2]!, ...lines.slice(3)])
      expect(added.reason).toContain("cut or added")
    }))

  it.effect("refuses a plan with a second counts or digest line slipped in (the digest covers only one)", () =>
    Effect.gen(function*() {
      const fakeCounts = yield* tampered((lines) =>
        lines.flatMap((line) => (line.startsWith("\"counts\"") ? [line.replace("\"create\":3", "\"create\":9"), line] : [line]))
      )
      expect(fakeCounts.reason).toContain("more than one counts line")
      const twoDigests = yield* tampered((lines) =>
        lines.flatMap((line) => (line.startsWith("\"digest\"") ? [`${line.slice(0, -1)},`, line] : [line]))
      )
      expect(twoDigests.reason).toContain("more than one digest line")
    }))

  it.effect("refuses a plan whose header or counts were edited, or that has no digest", () =>
    Effect.gen(function*() {
      const headerEdited = yield* tampered((lines) => [lines[0]!.replace("legacy-csv\"", "other-job\""), ...lines.slice(1)])
      expect(headerEdited.reason).toContain("header or counts")
      const countsEdited = yield* tampered((lines) => lines.map((line) => line.replace("\"create\":3", "\"create\":2")))
      expect(countsEdited.reason).toContain("header or counts")
      const noDigest = yield* tampered((lines) =>
        lines.flatMap((line) => (line.startsWith("\"digest\"") ? [] : line.startsWith("\"counts\"") ? [`${line.slice(0, -1)}}`] : [line]))
      )
      expect(noDigest.reason).toContain("no digest")
    }))
})
