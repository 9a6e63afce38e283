import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { rejectColumns, resultColumns } from "../../src/apply/Applier.js"
import { applyReportSpec, applyReportTotals, reportingApply } from "../../src/apply/ApplyHtmlReport.js"
import { openCsvOutput } from "../../src/apply/CsvOutput.js"
import type { PlanHeader, PlanItem } from "../../src/plan/Plan.js"
import { openHtmlReport } from "../../src/report/HtmlReport.js"

const header: PlanHeader = {
  format: "casesync-plan/1", planId: "plan-9", job: "crm", createdAt: "2026-12-01T10:00:00.000Z", configDigest: "c",
  mappingDigest: "m", mappingFile: "mappings/m.yaml", targetBaseUrl: "http://127.0.0.1:4010", source: "csv legacy.csv"
}
const at = (line: number) => ({ _tag: "csv" as const, file: "legacy.csv", line })
const update: PlanItem = {
  _tag: "update", sourceKey: "LG-1", externalId: "legacy-LG-1", location: at(2), personId: "BO-1", caseId: "CS-1",
  targetUpdatedAt: null, changes: [{ field: "status", before: "processing", after: "completed" }], body: {}, values: { typeId: "CT-1", status: "completed" }
}
const create: PlanItem = {
  _tag: "create", sourceKey: "LG-2", externalId: "legacy-LG-2", location: at(3), personId: "BO-2", body: {}, values: { typeId: "CT-2", status: "initiated" }
}

const blocks = (html: string) =>
  Array.from(html.matchAll(/<script type="application\/json" class="entries" data-section="(\w+)">(.*?)<\/script>/g))
    .map(([, section, json]) => ({ section: section!, entries: JSON.parse(json!) as Array<Record<string, unknown>> }))

describe("apply HTML report", () => {
  it.scoped("reports each outcome once, with the plan's diff and case type, and a write-time reject with its raw record", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apply-report-"))
      const file = path.join(dir, "apply-report.html")
      const html = yield* openHtmlReport(file, applyReportSpec(header, "run-1"))
      const reporting = reportingApply(
        html,
        yield* openCsvOutput(path.join(dir, "results.csv"), resultColumns),
        yield* openCsvOutput(path.join(dir, "rejects.csv"), rejectColumns)
      )
      yield* reporting.track(update)
      yield* reporting.track(create)
      const row = { source_key: "LG-1", external_id: "legacy-LG-1", location: "legacy.csv:2", borrower: "BO-1", case_id: "CS-1", action: "update", outcome: "updated", detail: "" }
      yield* reporting.results.write(row)
      yield* reporting.results.write({ ...row, source_key: "LG-2", external_id: "legacy-LG-2", location: "legacy.csv:3", borrower: "BO-2", case_id: null, action: "create", outcome: "rejected", detail: "422: name too long" })
      yield* reporting.rejects.write({ location: "legacy.csv:3", source_key: "LG-2", external_id: "legacy-LG-2", field: "name", reason: "422: name too long", raw: { case_no: "LG-2" } })
      yield* html.end(applyReportTotals({ read: 2, create: 0, update: 1, unchanged: 0, reject: 1, conflict: 0, skipped: 0 }))

      const found = blocks(fs.readFileSync(file, "utf8"))
      expect(found.map((b) => [b.section, b.entries.length])).toEqual([["updated", 1], ["rejected", 1]])
      expect(found[0]!.entries[0]).toMatchObject({ k: "LG-1", i: "CS-1", b: "BO-1", t: "CT-1", r: [["status", "processing", "completed"]] })
      expect(found[1]!.entries[0]).toMatchObject({ k: "LG-2", l: "legacy.csv:3", b: "BO-2", f: "name", m: "422: name too long", w: { case_no: "LG-2" } })
      // The CSV files get the same rows as before: the report only listens.
      expect(fs.readFileSync(path.join(dir, "results.csv"), "utf8").trim().split("\n")).toHaveLength(3)
      expect(fs.readFileSync(path.join(dir, "rejects.csv"), "utf8").trim().split("\n")).toHaveLength(2)
    }))
})
