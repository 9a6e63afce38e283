import { Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { PlanHeader, PlanItem } from "../../src/plan/Plan.js"
import { writePlanFileWithHtmlReport } from "../../src/plan/PlanHtmlReport.js"
import { browserTestsRun, cellsOf, count, keysOf, launchChromium, testOutputDir } from "./Chromium.js"

const header: PlanHeader = {
  format: "casesync-plan/1", planId: "20261201T101500-5e1f0c2a", job: "legacy-csv", createdAt: "2026-12-01T10:15:00.000Z",
  configDigest: "c", mappingDigest: "m", mappingFile: "mappings/legacy-csv-to-peach.yaml",
  targetBaseUrl: "http://127.0.0.1:4010", source: "csv samples/csv/legacy-cases.csv"
}
const hostile = "<script>window.__xss = 1</script>"
const csv = (line: number) => ({ _tag: "csv" as const, file: "samples/csv/legacy-cases.csv", line })

const items: Array<PlanItem> = [
  {
    _tag: "update", sourceKey: "LG-1001", externalId: "legacy-LG-1001", location: csv(2), personId: "BO-7Q2M",
    caseId: "CS-2K9D-44PA", targetUpdatedAt: "2026-11-30T09:00:00.000Z",
    changes: [{ field: "status", before: "processing", after: "completed" }, { field: "name", before: "Payment plan", after: hostile }],
    body: {}, values: { typeId: "CT-hardship", status: "completed", name: hostile }
  },
  {
    _tag: "update", sourceKey: "LG-1002", externalId: "legacy-LG-1002", location: csv(3), personId: "BO-3HX1",
    caseId: "CS-8ZT0-11QF", targetUpdatedAt: null,
    changes: [{ field: "customFields.crmNumber", before: null, after: "CRM-88" }],
    body: {}, values: { typeId: "CT-dispute", "customFields.crmNumber": "CRM-88" }
  },
  ...Array.from({ length: 12 }, (_, n): PlanItem => ({
    _tag: "create", sourceKey: `LG-2${String(n).padStart(3, "0")}`, externalId: `legacy-LG-2${String(n).padStart(3, "0")}`,
    location: csv(10 + n), personId: n % 4 === 0 ? "BO-3HX1" : "BO-7Q2M",
    body: { typeId: n % 3 === 0 ? "CT-dispute" : "CT-hardship" },
    values: { typeId: n % 3 === 0 ? "CT-dispute" : "CT-hardship", status: "initiated", openedAt: "2024-03-10T09:30:00-05:00" }
  })),
  {
    _tag: "conflict", sourceKey: "LG-1003", externalId: "legacy-LG-1003", location: csv(4), personId: "BO-3HX1",
    caseId: "CS-4RR2-90KD", targetUpdatedAt: "2026-11-30T11:00:00.000Z",
    reason: "the target changed owned fields since the last sync",
    conflicts: [{ field: "status", base: "initiated", target: "processing", source: "completed" }]
  },
  {
    _tag: "reject", location: csv(40), sourceKey: "LG-1040", externalId: null, field: "opened_at",
    reason: "2024-03-10T02:30 does not exist in America/New_York (the clocks skip that hour)",
    raw: { case_no: "LG-1040", opened_at: "2024-03-10 02:30", borrower: "BO-7Q2M" }
  },
  {
    _tag: "unchanged", sourceKey: "LG-1004", externalId: "legacy-LG-1004", location: csv(5), personId: "BO-7Q2M",
    caseId: "CS-1AB2-33CD", targetUpdatedAt: null, values: { typeId: "CT-hardship" }
  }
]

const run = browserTestsRun()

describe.runIf(run)("plan HTML report in headless Chromium", () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>
  let page: Page
  const requests: Array<string> = []

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "html-report-"))
    const plan = path.join(dir, "plan.json")
    const report = path.join(dir, "report.html")
    await Effect.runPromise(writePlanFileWithHtmlReport(plan, report, header, Stream.fromIterable(items)))
    browser = await launchChromium()
    page = await browser.context.newPage()
    page.on("request", (request) => void requests.push(request.url()))
    await page.goto(pathToFileURL(report).href)
    await page.waitForSelector("body[data-rendered=yes]")
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
  })

  const visibleSections = () => page.locator("section:not([hidden])").evaluateAll((nodes) => nodes.map((n) => (n as unknown as { id: string }).id))

  it("shows the counts first, as a summary bar", async () => {
    const counts = await page.$$eval("#summary .count", (nodes) => nodes.map((n) => [n.getAttribute("data-count"), n.querySelector("b")!.textContent]))
    expect(counts).toEqual([["read", "17"], ["create", "12"], ["update", "2"], ["unchanged", "1"], ["reject", "1"], ["conflict", "1"], ["skipped", "0"]])
    const [summaryTop, mainTop] = await page.$$eval("#summary, main", (nodes) => nodes.map((n) => n.getBoundingClientRect().top))
    expect(summaryTop).toBeLessThan(mainTop!)
  })

  it("shows an update's field-level diff as a before/after row", async () => {
    const rows = await cellsOf(page, "#section-update .entry[data-key=LG-1001] tbody tr")
    expect(rows).toContainEqual(["status", "processing", "completed"])
  })

  it("shows a case name `<script>` as text, and never runs it", async () => {
    const rows = await cellsOf(page, "#section-update .entry[data-key=LG-1001] tbody tr")
    expect(rows).toContainEqual(["name", "Payment plan", hostile])
    expect(await page.evaluate("window.__xss")).toBeUndefined()
    expect(await count(page, "main script")).toBe(0)
  })

  it("shows rejects with location, field, reason and the raw record", async () => {
    const cells = await cellsOf(page, "#section-reject tbody tr")
    expect(cells[0]!.slice(0, 5)).toEqual([
      "samples/csv/legacy-cases.csv:40", "LG-1040", "∅", "opened_at", "2024-03-10T02:30 does not exist in America/New_York (the clocks skip that hour)"
    ])
    expect(cells[0]![5]).toContain("\"opened_at\": \"2024-03-10 02:30\"")
  })

  it("summarises creates per borrower and case type", async () => {
    const groups = await cellsOf(page, "#section-create table.groups tbody tr")
    expect(groups).toEqual([["BO-7Q2M", "CT-hardship", "6"], ["BO-7Q2M", "CT-dispute", "3"], ["BO-3HX1", "CT-hardship", "2"], ["BO-3HX1", "CT-dispute", "1"]])
  })

  it("filters by action, field, borrower and case type, and searches by source key or externalId", async () => {
    await page.uncheck("#show-create")
    expect(await visibleSections()).toEqual(["section-update", "section-conflict", "section-reject", "section-unchanged"])
    await page.check("#show-create")

    await page.selectOption("#filter-field", "customFields.crmNumber")
    expect(await keysOf(page, "#section-update .entry")).toEqual(["LG-1002"])
    await page.selectOption("#filter-field", "")

    await page.selectOption("#filter-case-type", "CT-dispute")
    expect(await keysOf(page, "#section-update .entry")).toEqual(["LG-1002"])
    expect(await count(page, "#section-create .entry")).toBe(4)
    await page.selectOption("#filter-case-type", "")

    await page.fill("#filter-borrower", "BO-3HX1")
    await expect.poll(() => count(page, "#section-update .entry")).toBe(1)
    expect(await count(page, "#section-create .entry")).toBe(3)
    await page.fill("#filter-borrower", "")

    await page.fill("#search", "legacy-lg-1003")
    await expect.poll(() => count(page, "#section-update .entry")).toBe(0)
    expect(await keysOf(page, "#section-conflict .entry")).toEqual(["LG-1003"])
    await page.fill("#search", "LG-1040")
    await expect.poll(() => count(page, "#section-conflict .entry")).toBe(0)
    expect(await count(page, "#section-reject tbody tr")).toBe(1)
    await page.fill("#search", "")
    await expect.poll(() => count(page, "#section-update .entry")).toBe(2)
  })

  it("makes no request beyond the file itself, and saves a screenshot", async () => {
    expect(requests.every((url) => url.startsWith("file:"))).toBe(true)
    const shot = path.join(testOutputDir(), "plan-report.png")
    await page.screenshot({ path: shot, fullPage: false })
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000)
  })
})

describe.runIf(run)("a large plan's HTML report in headless Chromium", () => {
  it("pages a long section instead of drawing it all, and a search still finds an entry on a later page", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "html-report-"))
    const report = path.join(dir, "report.html")
    const updates = Array.from({ length: 120 }, (_, n): PlanItem => ({
      _tag: "update", sourceKey: `LG-${3000 + n}`, externalId: `legacy-LG-${3000 + n}`, location: csv(100 + n), personId: "BO-7Q2M",
      caseId: `CS-${n}`, targetUpdatedAt: null, changes: [{ field: "status", before: "processing", after: "completed" }], body: {}, values: {}
    }))
    await Effect.runPromise(writePlanFileWithHtmlReport(path.join(dir, "plan.json"), report, header, Stream.fromIterable(updates)))
    const browser = await launchChromium()
    try {
      const page = await browser.context.newPage()
      await page.goto(pathToFileURL(report).href)
      await page.waitForSelector("body[data-rendered=yes]")
      expect(await count(page, "#section-update .entry")).toBe(50)
      expect(await page.textContent("#section-update .pager span")).toBe("page 1 of 3 (120 shown)")
      await page.click("#section-update .pager button:last-child")
      expect(await keysOf(page, "#section-update .entry").then((keys) => [keys[0], keys.length])).toEqual(["LG-3050", 50])
      await page.fill("#search", "LG-3119")
      await expect.poll(() => keysOf(page, "#section-update .entry")).toEqual(["LG-3119"])
    } finally {
      await browser.close()
    }
  }, 60_000)
})
