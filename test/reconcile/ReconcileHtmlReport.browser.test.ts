import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checksumOf } from "../../src/reconcile/Checksum.js"
import type { Reconciliation } from "../../src/reconcile/Reconciliation.js"
import { writeReconcileHtmlReport } from "../../src/reconcile/ReconcileHtmlReport.js"
import { browserTestsRun, cellsOf, count, keysOf, launchChromium, testOutputDir } from "../report/Chromium.js"

const hostile = "<script>window.__xss = 1</script>"
const csv = (line: number) => ({ _tag: "csv" as const, file: "samples/csv/legacy-cases.csv", line })

const reconciliation: Reconciliation = {
  job: "legacy-csv",
  counts: { read: 6, rejected: 1, compared: 5, inSync: 2, missing: 1, drift: 2, driftFields: 2, otherBorrower: 0, orphans: 1, duplicates: 0, ledger: 1 },
  checksums: {
    source: checksumOf([{ externalId: "legacy-1", values: { name: "A" } }]),
    target: checksumOf([{ externalId: "legacy-1", values: { name: "B" } }])
  },
  orphansChecked: true,
  missing: [{ sourceKey: "LC-3", externalId: "legacy-LC-3", location: csv(4), personId: "BO-1", caseType: "101" }],
  drift: [
    {
      sourceKey: "LC-1", externalId: "legacy-LC-1", location: csv(2), personId: "BO-1", caseType: "101", caseId: "CS-1",
      fields: [{ field: "name", source: "Payment plan", target: hostile, base: "Payment plan", moved: "target" }]
    },
    {
      sourceKey: "LC-2", externalId: "legacy-LC-2", location: csv(3), personId: "BO-2", caseType: "102", caseId: "CS-2",
      fields: [{ field: "status", source: "completed", target: "processing", base: "processing", moved: "source" }]
    }
  ],
  otherBorrower: [],
  orphans: [{ externalId: "legacy-BY-HAND", caseId: "CS-9", personIds: ["BO-1"], sourceRejected: null }],
  duplicates: [],
  ledger: [{ sourceKey: "LC-4", externalId: "legacy-LC-4", writeState: "confirmed", reason: "ConfirmedAbsent", detail: "confirmed as case CS-4, but the target has no case with this externalId" }],
  rejects: [{ location: csv(7), externalId: null, field: "created_at", reason: "not a date", raw: { case_id: "LC-6", created_at: "yesterday" } }]
}

const run = browserTestsRun()

describe.runIf(run)("reconcile HTML report in headless Chromium", () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>
  let page: Page

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reconcile-report-"))
    const report = path.join(dir, "reconcile.html")
    await Effect.runPromise(writeReconcileHtmlReport(report, reconciliation, "csv samples/csv/legacy-cases.csv", "http://127.0.0.1:4010/api"))
    browser = await launchChromium()
    page = await browser.context.newPage()
    await page.goto(pathToFileURL(report).href)
    await page.waitForSelector("body[data-rendered=yes]")
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
  })

  it("shows the findings' counts as the summary bar and both checksums under the title", async () => {
    const counts = await page.$$eval("#summary .count", (nodes) => nodes.map((n) => [n.getAttribute("data-count"), n.querySelector("b")!.textContent]))
    expect(counts).toEqual([
      ["read", "6"], ["in sync", "2"], ["missing", "1"], ["drift", "2"], ["other borrower", "0"], ["orphans", "1"], ["duplicates", "0"], ["ledger", "1"], ["rejected", "1"]
    ])
    expect(await page.textContent("header")).toContain("(differ)")
  })

  it("shows a drifting field with both values, the last synced one and the side that moved, the value as text", async () => {
    expect(await cellsOf(page, "#section-drift .entry[data-key=LC-1] tbody tr")).toEqual([["name", "Payment plan", hostile, "Payment plan", "target"]])
    expect(await page.evaluate("window.__xss")).toBeUndefined()
    expect(await count(page, "main script")).toBe(0)
  })

  it("filters drift by field and finds a case by externalId", async () => {
    await page.selectOption("#filter-field", "status")
    expect(await keysOf(page, "#section-drift .entry")).toEqual(["LC-2"])
    await page.selectOption("#filter-field", "")
    await page.fill("#search", "legacy-lc-1")
    await expect.poll(() => keysOf(page, "#section-drift .entry")).toEqual(["LC-1"])
    await page.fill("#search", "")
    await expect.poll(() => count(page, "#section-drift .entry")).toBe(2)
    await page.screenshot({ path: path.join(testOutputDir(), "reconcile-report.png"), fullPage: true })
  })

  it("lists the target's side of the findings (an orphan, a ledger row) and the records not compared, with their raw record", async () => {
    expect(await page.textContent("#section-orphan")).toContain("legacy-BY-HAND")
    expect(await page.textContent("#section-ledger")).toContain("confirmed as case CS-4")
    const rejects = await cellsOf(page, "#section-reject tbody tr")
    expect(rejects[0]!.slice(0, 5)).toEqual(["samples/csv/legacy-cases.csv:7", "∅", "∅", "created_at", "not a date"])
    expect(rejects[0]![5]).toContain("\"created_at\": \"yesterday\"")
  })
})
