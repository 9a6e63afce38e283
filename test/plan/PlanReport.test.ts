import { it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import type { PlanHeader, PlanItem } from "../../src/plan/Plan.js"
import { writePlanFile } from "../../src/plan/PlanFile.js"
import { accountingLine, openPlanReport, writePlanReport } from "../../src/plan/PlanReport.js"

const header: PlanHeader = {
  format: "casesync-plan/1",
  planId: "plan-7",
  job: "crm",
  createdAt: "2026-11-21T10:00:00.000Z",
  configDigest: "c",
  mappingDigest: "m",
  mappingFile: "mappings/khoros-to-peach.yaml",
  targetBaseUrl: "http://127.0.0.1:4010",
  source: "khoros"
}

const items: Array<PlanItem> = [
  {
    _tag: "update",
    sourceKey: "k-1",
    externalId: "khoros-k-1",
    location: { _tag: "khoros", customerId: "BRW-1001", caseId: "k-1" },
    personId: "BO-1",
    caseId: "CS-AAAA-0001",
    targetUpdatedAt: "2026-01-01T00:00:00.000Z",
    changes: [{ field: "status", before: "processing", after: "completed" }, { field: "name", before: "a|b", after: "two\nlines" }],
    body: { status: "completed" },
    values: { status: "completed" }
  },
  {
    _tag: "reject",
    location: { _tag: "csv", file: "legacy.csv", line: 12 },
    sourceKey: "LG-12",
    externalId: null,
    field: "opened_at",
    reason: "no offset",
    raw: {}
  }
]

describe("plan report", () => {
  it.effect("starts with the counts, then lists every field change before → after", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-"))
      const plan = path.join(dir, "plan.json")
      const report = path.join(dir, "report.md")
      const counts = yield* writePlanFile(plan, header, Stream.fromIterable(items))
      yield* writePlanReport(plan, report, header, counts)
      const text = fs.readFileSync(report, "utf8")
      expect(text.indexOf("## Summary")).toBeLessThan(text.indexOf("## Updates (1)"))
      expect(text).toContain("| status | processing | completed |")
      expect(text).toContain("| name | a\\|b | two⏎lines |")
      expect(text).toContain("| legacy.csv:12 | LG-12 | opened_at | no offset |")
      expect(text).toContain(accountingLine(counts, "plan"))
      expect(text).not.toContain("## Creates")
    }))
})

describe("plan report at scale", () => {
  const creates = (n: number): Array<PlanItem> =>
    Array.from({ length: n }, (_, i) => ({
      _tag: "create" as const,
      sourceKey: `LG-${i}`,
      externalId: `legacy-LG-${i}`,
      location: { _tag: "csv" as const, file: "legacy.csv", line: i + 2 },
      personId: i % 3 === 0 ? "BO-1" : "BO-2",
      body: { typeId: i % 2 === 0 ? "101" : "102", externalId: `legacy-LG-${i}`, name: `case ${i}` },
      values: { name: `case ${i}` }
    }))

  it.effect("counts creates per borrower and case type and shows the first 100 in full; updates, conflicts and rejects all in full", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-"))
      const plan = path.join(dir, "plan.json")
      const report = path.join(dir, "report.md")
      const all = [...creates(250), ...items]
      const counts = yield* writePlanFile(plan, header, Stream.fromIterable(all))
      yield* writePlanReport(plan, report, header, counts)
      const text = fs.readFileSync(report, "utf8")
      expect(text).toContain("## Creates (250)")
      expect(text).toContain("| borrower | case type | creates |")
      // 250 creates: i % 3 === 0 → BO-1 (84 of them), i % 2 === 0 → 101 (125).
      expect(text).toContain("| BO-1 | 101 | 42 |")
      expect(text).toContain("| BO-1 | 102 | 42 |")
      expect(text).toContain("| BO-2 | 101 | 83 |")
      expect(text).toContain("| BO-2 | 102 | 83 |")
      expect(text).toContain("The first 100 in full (the plan file holds all 250)")
      expect(text).toContain("### `legacy-LG-99` for borrower")
      expect(text).not.toContain("### `legacy-LG-100` for borrower")
      expect(text.indexOf("## Updates (1)")).toBeLessThan(text.indexOf("## Creates (250)"))
      expect(text.indexOf("## Creates (250)")).toBeLessThan(text.indexOf("## Rejects (1)"))
      expect(text).toContain("| status | processing | completed |")
      expect(text).toContain("| legacy.csv:12 | LG-12 | opened_at | no offset |")
      expect(fs.readdirSync(dir).sort()).toEqual(["plan.json", "report.md"])
    }))

  it.effect("is written in one pass while the items go by, without reading the plan file", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-"))
      const report = path.join(dir, "report.md")
      const counts = yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* openPlanReport(report, header)
        writer.add(creates(3))
        writer.add(items)
        const counts = { read: 5, create: 3, update: 1, unchanged: 0, reject: 1, conflict: 0, skipped: 0 }
        yield* writer.finish(counts)
        return counts
      }))
      const text = fs.readFileSync(report, "utf8")
      expect(text).toContain(accountingLine(counts, "plan"))
      expect(text).toContain("Every create in full:")
      expect(text).toContain("| name | two⏎lines |".replace("| name |", "| name | a\\|b |"))
      expect(fs.readdirSync(dir)).toEqual(["report.md"])
    }))
})

describe("accountingLine", () => {
  it("adds up to read", () => {
    expect(accountingLine({ read: 10, create: 4, update: 1, unchanged: 2, reject: 1, conflict: 1, skipped: 1 })).toBe(
      "read 10 = created 4 + updated 1 + unchanged 2 + rejected 1 + conflicts 1 + skipped 1"
    )
  })
})
