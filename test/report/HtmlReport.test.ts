import { it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { escapeHtml, renderHtmlReport, scriptJson, writeHtmlReport } from "../../src/report/HtmlReport.js"
import type { ReportEntry, ReportSpec, ReportTotals } from "../../src/report/ReportEntry.js"

const spec: ReportSpec = {
  title: "report for <b>job</b>",
  lines: ["made & checked"],
  sections: [
    { key: "update", title: "Updates", mode: "detail", columns: ["field", "before", "after"] },
    { key: "create", title: "Creates", mode: "summary", columns: ["field", "before", "after"] }
  ]
}
const totals: ReportTotals = { counts: [{ label: "read", value: 1 }], accounting: "read 1" }

const entry = (section: string, n: number, borrower = "BO-1", caseType = "CT-1"): ReportEntry => ({
  section, sourceKey: `k-${n}`, externalId: `x-${n}`, location: `f.csv:${n}`, borrower, caseType, caseId: null,
  rows: [["name", null, `case ${n}`]]
})

/** The JSON blocks of a report, as the page's script reads them. */
const blocks = (html: string) =>
  Array.from(html.matchAll(/<script type="application\/json" class="entries" data-section="(\w+)">(.*?)<\/script>/g))
    .map(([, section, json]) => ({ section: section!, entries: JSON.parse(json!) as Array<{ k: string }> }))
const metaOf = (html: string) => JSON.parse(/<script type="application\/json" id="meta">(.*?)<\/script>/.exec(html)![1]!)

describe("HTML report document", () => {
  it("keeps markup in values as text: nothing in the data can close a script or open a tag", () => {
    const hostile = "</script><script>window.__xss = 1</script>"
    const html = renderHtmlReport(spec, [{ ...entry("update", 1), rows: [["name", hostile, "<img src=x onerror=alert(1)>"]] }], totals)
    expect(html).not.toContain("window.__xss = 1</script>")
    expect(html).not.toContain("<img src=x")
    expect(html).toContain("<title>report for &lt;b&gt;job&lt;/b&gt;</title>")
    expect(html).toContain("<p>made &amp; checked</p>")
    expect(blocks(html)[0]!.entries[0]).toMatchObject({ r: [["name", hostile, "<img src=x onerror=alert(1)>"]] })
  })

  it("escapes the five HTML characters and keeps JSON parseable", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    const value = { s: "</script>\u2028<!--" }
    expect(scriptJson(value)).not.toMatch(/[<\u2028]/)
    expect(JSON.parse(scriptJson(value))).toEqual(value)
  })

  it("needs no network: no external script, style, image or link", () => {
    const html = renderHtmlReport(spec, [entry("update", 1)], totals)
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//)
    expect(html).not.toMatch(/<link\b/)
    expect(html).toContain("default-src 'none'")
  })

  it("keeps every detail entry, in blocks, and summarises a summary section as groups plus the first ones", () => {
    const entries = [
      ...Array.from({ length: 7 }, (_, n) => entry("update", n)),
      ...Array.from({ length: 30 }, (_, n) => entry("create", n, n % 3 === 0 ? "BO-2" : "BO-1", n % 2 === 0 ? "CT-1" : "CT-2"))
    ]
    const html = renderHtmlReport(spec, entries, totals, { blockSize: 3, summaryFirst: 4, maxGroups: 100, maxFilterValues: 10 })
    const found = blocks(html)
    expect(found.filter((b) => b.section === "update").flatMap((b) => b.entries.map((e) => e.k))).toEqual(
      Array.from({ length: 7 }, (_, n) => `k-${n}`)
    )
    expect(found.every((b) => b.entries.length <= 3)).toBe(true)
    expect(found.filter((b) => b.section === "create").flatMap((b) => b.entries.map((e) => e.k))).toEqual(["k-0", "k-1", "k-2", "k-3"])
    const meta = metaOf(html)
    expect(meta.totals).toEqual({ update: 7, create: 30 })
    expect(meta.groups.create).toEqual([["BO-1", "CT-2", 10], ["BO-1", "CT-1", 10], ["BO-2", "CT-1", 5], ["BO-2", "CT-2", 5]])
    expect(meta.caseTypes).toEqual(["CT-1", "CT-2"])
    expect(meta.fields).toEqual(["name"])
  })

  it("reads no rows of a summarised entry it does not keep: the field filter offers the fields of the entries in the file", () => {
    const rowsRead = new Set<number>()
    const counted = (n: number, field: string): ReportEntry => {
      const base = entry("create", n)
      return {
        ...base,
        get rows() {
          rowsRead.add(n)
          return [[field, null, `case ${n}`]]
        }
      }
    }
    const entries = Array.from({ length: 10 }, (_, n) => counted(n, n < 2 ? "name" : "status"))
    const html = renderHtmlReport(spec, entries, totals, { blockSize: 10, summaryFirst: 2, maxGroups: 10, maxFilterValues: 10 })
    expect(blocks(html).flatMap((b) => b.entries.map((e) => e.k))).toEqual(["k-0", "k-1"])
    expect(metaOf(html).totals).toEqual({ create: 10 })
    expect(metaOf(html).fields).toEqual(["name"])
    expect([...rowsRead]).toEqual([0, 1])
  })

  it("counts groups beyond the limit under one 'other borrowers' line", () => {
    const entries = Array.from({ length: 5 }, (_, n) => entry("create", n, `BO-${n}`))
    const meta = metaOf(renderHtmlReport(spec, entries, totals, { blockSize: 10, summaryFirst: 1, maxGroups: 2, maxFilterValues: 10 }))
    expect(meta.groups.create).toEqual([["(other borrowers)", null, 3], ["BO-0", "CT-1", 1], ["BO-1", "CT-1", 1]])
  })

  it.effect("writes the file from a stream in one pass and leaves no temporary file behind", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "html-report-"))
      const file = path.join(dir, "report.html")
      let pulled = 0
      const entries = Stream.fromIterable(Array.from({ length: 1200 }, (_, n) => entry("update", n))).pipe(
        Stream.tap(() => Effect.sync(() => void pulled++))
      )
      yield* writeHtmlReport(file, spec, entries, Effect.succeed(totals))
      const html = fs.readFileSync(file, "utf8")
      expect(pulled).toBe(1200)
      expect(blocks(html).flatMap((b) => b.entries)).toHaveLength(1200)
      expect(html.endsWith("</body></html>\n")).toBe(true)
      expect(fs.readdirSync(dir)).toEqual(["report.html"])
    }))
})
