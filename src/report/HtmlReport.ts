/**
 * The HTML report: one self-contained file (inline CSS and script, no network) that
 * a person opens from disk. It is written in one streaming pass: entries go into the
 * file as JSON blocks as they come, so a million-record report never sits in memory;
 * the page's script pages, filters and searches them in the browser.
 */
import { Chunk, Data, Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { pageScript } from "./html/PageScript.js"
import { pageStyle } from "./html/PageStyle.js"
import type { ReportEntry, ReportSpec, ReportTotals } from "./ReportEntry.js"

/** A report file that could not be written. */
export class ReportFileError extends Data.TaggedError("ReportFileError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `cannot write report ${this.file}: ${this.reason}`
  }
}

/** Escapes text for HTML content and attribute values: a case named `<script>` stays text. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

/**
 * JSON that is safe inside `<script type="application/json">`: no `<` can close the
 * element, and the line separators old parsers choke on are escaped.
 */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")

/** Limits that keep the file and the writer's memory bounded. */
export interface HtmlReportLimits {
  /** Entries per JSON block in the file. */
  readonly blockSize: number
  /** Entries kept in full in a summarised section. */
  readonly summaryFirst: number
  /** Distinct borrower × case type groups counted in a summarised section; the rest add up under "other". */
  readonly maxGroups: number
  /** Distinct values offered by the field and case type filters. */
  readonly maxFilterValues: number
}

/** The defaults: the first 100 creates in full, the rest as counts. */
export const defaultLimits: HtmlReportLimits = { blockSize: 500, summaryFirst: 100, maxGroups: 10_000, maxFilterValues: 500 }

// The page's compact form of an entry: short keys, because a report can hold a million.
const compact = (entry: ReportEntry) => ({
  k: entry.sourceKey,
  x: entry.externalId,
  l: entry.location,
  b: entry.borrower,
  t: entry.caseType,
  i: entry.caseId,
  ...(entry.rows === undefined ? {} : { r: entry.rows }),
  ...(entry.field === undefined ? {} : { f: entry.field }),
  ...(entry.reason === undefined ? {} : { m: entry.reason }),
  ...(entry.raw === undefined ? {} : { w: entry.raw })
})

const block = (section: string, entries: ReadonlyArray<ReportEntry>): string =>
  `<script type="application/json" class="entries" data-section="${escapeHtml(section)}">${scriptJson(entries.map(compact))}</script>\n`

/** The start of the document: head, style and the empty frame the script fills. */
export const renderHead = (spec: ReportSpec): string =>
  [
    "<!doctype html>",
    "<html lang=\"en\"><head><meta charset=\"utf-8\">",
    // No request may leave the page: it is opened from disk, often offline.
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
    `<title>${escapeHtml(spec.title)}</title>`,
    `<style>${pageStyle}</style>`,
    "</head><body>",
    `<header><h1>${escapeHtml(spec.title)}</h1>${spec.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("")}</header>`,
    "<noscript><p>This report needs JavaScript to show its entries.</p></noscript>",
    `<script type="application/json" id="spec">${scriptJson(spec)}</script>`,
    ""
  ].join("\n")

/**
 * Collects a report's entries one at a time and says what to append to the file.
 * Plain state and strings, no I/O: the writer below and the tests drive it.
 */
export const makeReportBuilder = (spec: ReportSpec, limits: HtmlReportLimits = defaultLimits) => {
  const modes = new Map(spec.sections.map((section) => [section.key, section.mode]))
  const pending = new Map<string, Array<ReportEntry>>()
  const totals = new Map<string, number>()
  const groups = new Map<string, Map<string, number>>()
  const fields = new Set<string>()
  const caseTypes = new Set<string>()
  const remember = (set: Set<string>, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== "" && set.size < limits.maxFilterValues) set.add(value)
  }
  const flush = (section: string): string => {
    const entries = pending.get(section)
    if (entries === undefined || entries.length === 0) return ""
    pending.set(section, [])
    return block(section, entries)
  }
  return {
    head: (): string => renderHead(spec),
    /** Takes one entry; returns the text to append now (often nothing: entries are written in blocks). */
    add: (entry: ReportEntry): string => {
      const seen = (totals.get(entry.section) ?? 0) + 1
      totals.set(entry.section, seen)
      remember(caseTypes, entry.caseType)
      if (modes.get(entry.section) === "summary") {
        const counted = groups.get(entry.section) ?? new Map<string, number>()
        groups.set(entry.section, counted)
        const key = JSON.stringify([entry.borrower, entry.caseType])
        const group = counted.has(key) || counted.size < limits.maxGroups ? key : JSON.stringify(["(other borrowers)", null])
        counted.set(group, (counted.get(group) ?? 0) + 1)
        // Counted only: its rows are never read (a plan's million creates need not build them).
        if (seen > limits.summaryFirst) return ""
      }
      // The field filter picks among the entries in the file, so only those offer their fields.
      remember(fields, entry.field)
      for (const row of entry.rows ?? []) remember(fields, typeof row[0] === "string" ? row[0] : undefined)
      const entries = pending.get(entry.section) ?? []
      pending.set(entry.section, entries)
      entries.push(entry)
      return entries.length >= limits.blockSize ? flush(entry.section) : ""
    },
    /** The end of the document: the last blocks, the counts and the page's script. */
    end: (result: ReportTotals): string => {
      const rest = Array.from(pending.keys()).map(flush).join("")
      const meta = {
        ...result,
        totals: Object.fromEntries(totals),
        groups: Object.fromEntries(Array.from(groups, ([section, counted]) => [
          section,
          Array.from(counted, ([key, count]) => [...(JSON.parse(key) as Array<unknown>), count])
            .sort((a, b) => (b[2] as number) - (a[2] as number))
        ])),
        shownPerSummary: limits.summaryFirst,
        fields: Array.from(fields).sort(),
        caseTypes: Array.from(caseTypes).sort()
      }
      return `${rest}<script type="application/json" id="meta">${scriptJson(meta)}</script>\n<script>${pageScript}</script>\n</body></html>\n`
    }
  }
}

/** The whole document at once, for small reports and tests. */
export const renderHtmlReport = (
  spec: ReportSpec,
  entries: Iterable<ReportEntry>,
  totals: ReportTotals,
  limits: HtmlReportLimits = defaultLimits
): string => {
  const builder = makeReportBuilder(spec, limits)
  const parts = [builder.head()]
  for (const entry of entries) parts.push(builder.add(entry))
  parts.push(builder.end(totals))
  return parts.join("")
}

/** An HTML report being written: entries go in as they come, `end` finishes the file. */
export interface HtmlReportWriter {
  readonly file: string
  readonly add: (entry: ReportEntry) => Effect.Effect<void, ReportFileError>
  readonly addAll: (entries: Iterable<ReportEntry>) => Effect.Effect<void, ReportFileError>
  readonly end: (totals: ReportTotals) => Effect.Effect<void, ReportFileError>
}

/**
 * Opens `file` for an HTML report for the life of the scope. It is written under a
 * temporary name and renamed by `end`, so a run that dies leaves no half report.
 */
export const openHtmlReport = (file: string, spec: ReportSpec, limits: HtmlReportLimits = defaultLimits) =>
  Effect.gen(function*() {
    const temporary = `${file}.${process.pid}.tmp`
    const fail = (error: unknown) => new ReportFileError({ file, reason: String(error) })
    const fd = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
          return fs.openSync(temporary, "w")
        },
        catch: fail
      }),
      (fd) =>
        Effect.sync(() => {
          fs.closeSync(fd)
          if (fs.existsSync(temporary)) fs.rmSync(temporary)
        })
    )
    const builder = makeReportBuilder(spec, limits)
    const write = (text: string) => Effect.try({ try: () => void (text === "" || fs.writeSync(fd, text)), catch: fail })
    yield* write(builder.head())
    return {
      file,
      add: (entry) => write(builder.add(entry)),
      // One write per chunk, not per entry: the record path stays plain code.
      addAll: (entries) => write(Array.from(entries, builder.add).join("")),
      end: (totals) =>
        write(builder.end(totals)).pipe(Effect.zipRight(Effect.try({ try: () => fs.renameSync(temporary, file), catch: fail })))
    } satisfies HtmlReportWriter
  })

/** Writes a whole report from a stream of entries, in one pass; the totals are asked once it has ended. */
export const writeHtmlReport = <E, R>(
  file: string,
  spec: ReportSpec,
  entries: Stream.Stream<ReportEntry, E, R>,
  totals: Effect.Effect<ReportTotals>,
  limits: HtmlReportLimits = defaultLimits
): Effect.Effect<void, E | ReportFileError, R> =>
  Effect.scoped(
    Effect.gen(function*() {
      const writer = yield* openHtmlReport(file, spec, limits)
      yield* Stream.runForEachChunk(entries, (chunk) => writer.addAll(Chunk.toReadonlyArray(chunk)))
      yield* writer.end(yield* totals)
    })
  )
