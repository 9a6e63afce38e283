/**
 * Writes a large synthetic plan, alone and then with its HTML report in the same pass,
 * and opens the report in headless Chromium: what the report adds to planning, the
 * memory it holds (flat: one streaming pass), how big the page is, and how long until
 * it is drawn.
 * `npx tsx bench/report.ts [items=1000000]`.
 */
import { Effect, Stream } from "effect"
import { mkdtemp, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import type { PlanHeader, PlanItem } from "../src/plan/Plan.js"
import { writePlanFile } from "../src/plan/PlanFile.js"
import { writePlanFileWithHtmlReport } from "../src/plan/PlanHtmlReport.js"
import { launchChromium } from "../test/report/Chromium.js"

/** What one report bench run measured. */
export interface ReportBenchResult {
  readonly items: number
  readonly mix: string
  /** Writing the plan file alone, then the plan file and the report in one pass. */
  readonly planSeconds: number
  readonly planWithReportSeconds: number
  readonly htmlMegabytes: number
  readonly startRssMegabytes: number
  readonly peakRssMegabytes: number
  readonly openSeconds: number
}

const header: PlanHeader = {
  format: "casesync-plan/1", planId: "bench", job: "bench", createdAt: new Date().toISOString(), configDigest: "c",
  mappingDigest: "m", mappingFile: "mappings/bench.yaml", targetBaseUrl: "http://127.0.0.1:4010", source: "bench"
}

// Per 200 records: 170 creates, 20 updates, 6 unchanged, 3 rejects, 1 conflict.
const kinds = [...Array(170).fill("create"), ...Array(20).fill("update"), ...Array(6).fill("unchanged"), ...Array(3).fill("reject"), "conflict"]

/** One synthetic plan item: a thousand borrowers, four case types, realistic field sizes. */
const item = (i: number): PlanItem => {
  const key = `LG-${String(i).padStart(7, "0")}`
  const identity = { sourceKey: key, externalId: `legacy-${key}`, location: { _tag: "csv" as const, file: "cases.csv", line: i + 2 }, personId: `BO-${i % 1000}` }
  const typeId = `CT-${["hardship", "dispute", "payoff", "fraud"][i % 4]}`
  const values = { typeId, status: "processing", name: `Case ${key} for borrower ${i % 1000}`, openedAt: "2024-03-10T09:30:00-05:00" }
  switch (kinds[i % kinds.length]) {
    case "create":
      return { _tag: "create", ...identity, body: { ...values }, values }
    case "update":
      return {
        _tag: "update", ...identity, caseId: `CS-${i}`, targetUpdatedAt: "2026-11-30T09:00:00.000Z", body: { status: "completed" }, values,
        changes: [{ field: "status", before: "processing", after: "completed" }, { field: "name", before: `Old name ${i}`, after: values.name }]
      }
    case "unchanged":
      return { _tag: "unchanged", ...identity, caseId: `CS-${i}`, targetUpdatedAt: null, values }
    case "reject":
      return {
        _tag: "reject", location: identity.location, sourceKey: key, externalId: null, field: "opened_at", reason: "no UTC offset and no zone",
        raw: { case_no: key, borrower: identity.personId, opened_at: "2024-03-10 02:30", status: "open", note: "Routine follow-up" }
      }
    default:
      return {
        _tag: "conflict", ...identity, caseId: `CS-${i}`, targetUpdatedAt: null, reason: "the target changed owned fields since the last sync",
        conflicts: [{ field: "status", base: "initiated", target: "processing", source: "completed" }]
      }
  }
}

/** Writes a plan of `items`, its HTML report, and opens that in Chromium. */
export const runReportBench = async (items: number): Promise<ReportBenchResult> => {
  const dir = await mkdtemp(join(tmpdir(), "casesync-report-bench-"))
  try {
    const plan = join(dir, "plan.json")
    const html = join(dir, "report.html")
    const generated = () => Stream.range(0, items - 1).pipe(Stream.map(item))
    const planStarted = performance.now()
    await Effect.runPromise(writePlanFile(plan, header, generated()))
    const planSeconds = (performance.now() - planStarted) / 1000
    global.gc?.()
    const startRss = process.memoryUsage().rss
    let peakRss = startRss
    const sampler = setInterval(() => void (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)
    const started = performance.now()
    const counts = await Effect.runPromise(writePlanFileWithHtmlReport(plan, html, header, generated()))
    const planWithReportSeconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    const browser = await launchChromium()
    try {
      const page = await browser.context.newPage()
      const opening = performance.now()
      await page.goto(pathToFileURL(html).href, { timeout: 120_000 })
      await page.waitForSelector("body[data-rendered=yes]", { timeout: 120_000 })
      const openSeconds = (performance.now() - opening) / 1000
      const mib = (bytes: number) => Math.round(bytes / 1024 / 1024)
      return {
        items,
        mix: `${counts.create} create, ${counts.update} update, ${counts.unchanged} unchanged, ${counts.reject} reject, ${counts.conflict} conflict`,
        planSeconds: Number(planSeconds.toFixed(1)),
        planWithReportSeconds: Number(planWithReportSeconds.toFixed(1)),
        htmlMegabytes: mib((await stat(html)).size),
        startRssMegabytes: mib(startRss),
        peakRssMegabytes: mib(peakRss),
        openSeconds: Number(openSeconds.toFixed(2))
      }
    } finally {
      await browser.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await runReportBench(Number(process.argv[2] ?? "1000000"))
  console.log(JSON.stringify(result, null, 2))
}
