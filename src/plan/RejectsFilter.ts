import { parse } from "csv-parse/sync"
import { Effect, Either, Schema, Stream } from "effect"
import * as fs from "node:fs"
import { rejectColumns } from "../apply/Applier.js"
import { restoreCell } from "../apply/CsvOutput.js"
import type { RunConfig } from "../config/RunConfig.js"
import { CsvSourceError, CsvSourceOptions, readCsv } from "../sources/csv/CsvSource.js"
import type { SourceError } from "../sources/SourceFromConfig.js"
import { linesOfUnreadableRow } from "../sources/csv/RowAssembler.js"
import { formatLocation, type SourceItem } from "../sources/SourceRecord.js"
import type { RecordMapper } from "./Planner.js"

/** Why an `--only-rejects` file cannot be used. */
export const RejectsFileErrorReason = Schema.Literal("Unreadable", "NotARejectsFile", "OtherSource", "UnknownLocations", "SourceChanged")
export type RejectsFileErrorReason = typeof RejectsFileErrorReason.Type

/**
 * An `--only-rejects` file that is not a rejects file of this job's source: planning with
 * it would skip every record and look like success, so nothing is done instead.
 */
export class RejectsFileError extends Schema.TaggedError<RejectsFileError>()("RejectsFileError", {
  file: Schema.String,
  reason: RejectsFileErrorReason,
  detail: Schema.String
}) {
  override get message(): string {
    // A file of this job that no longer fits its source needs another plan, not another file.
    const hint = this.reason === "SourceChanged" ? "" : "; give the rejects.csv an earlier run of this job wrote"
    return `--only-rejects ${this.file}: ${this.detail}${hint}`
  }
}

const listed = (items: ReadonlyArray<string>) =>
  `${items.slice(0, 3).join(", ")}${items.length > 3 ? ` and ${items.length - 3} more` : ""}`

/** The column names in the first row of a file (read from its first 64 KiB, which a header fits in). */
const headerOf = (file: string): ReadonlyArray<string> => {
  const fd = fs.openSync(file, "r")
  try {
    const buffer = Buffer.alloc(65_536)
    const length = fs.readSync(fd, buffer, 0, buffer.length, 0)
    const text = buffer.subarray(0, length).toString("utf8").split(/\r?\n|\r/)[0] ?? ""
    const rows = parse(text, { bom: true, relax_quotes: true, relax_column_count: true }) as Array<Array<string>>
    return (rows[0] ?? []).map((name) => name.trim())
  } finally {
    fs.closeSync(fd)
  }
}

/** What a location of this source looks like, said for a person, and the test. */
const locationShape = (config: RunConfig): { readonly shape: string; readonly test: (location: string) => boolean } => {
  if (config.source.kind === "csv") {
    const prefix = `${config.source.path}:`
    return { shape: `${prefix}<line>`, test: (location) => location.startsWith(prefix) && /^[1-9]\d*$/.test(location.slice(prefix.length)) }
  }
  return { shape: "customer <id> / case <id>", test: (location) => /^customer .+ \/ case .+$/.test(location) }
}

/** The records a rejects file names: by their location (`formatLocation`). */
export interface RejectsFilter {
  readonly has: (location: string) => boolean
}

/**
 * Reads a rejects file back into the records it names, after checking it is one of this
 * job's: it has the rejects columns, every location has this source's form and, for a CSV
 * source, names a line where a row of the file starts, and the row there still has the key the
 * rejects file gives it (a file edited so that rows moved would plan other records). A row the
 * reject said a never-closed quote swallowed the rest of the file into names those lines too.
 */
export const readRejectsFilter = (
  file: string,
  config: RunConfig,
  items: Stream.Stream<SourceItem, SourceError>,
  mapper: RecordMapper
): Effect.Effect<RejectsFilter, RejectsFileError | SourceError> =>
  Effect.gen(function*() {
    const fail = (reason: RejectsFileErrorReason, detail: string) => new RejectsFileError({ file, reason, detail })
    const header = yield* Effect.try({
      try: () => headerOf(file),
      catch: (error) => fail("Unreadable", (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "it cannot be read")
    })
    const missing = rejectColumns.filter((column) => !header.includes(column))
    if (missing.length > 0) {
      return yield* fail("NotARejectsFile", `it has no column ${missing.join(", ")} (a rejects file has ${rejectColumns.join(", ")})`)
    }
    const rows = yield* readCsv(CsvSourceOptions.make({ path: file, maxRecordSize: 50_000_000 })).pipe(
      Stream.runCollect,
      Effect.catchAll((error: CsvSourceError) =>
        fail(error.reason === "InvalidHeader" ? "NotARejectsFile" : "Unreadable", error.detail)
      )
    )
    const locations = new Set<string>()
    const keys = new Map<string, string>()
    const spans: Array<{ readonly from: number; readonly lines: number }> = []
    for (const item of rows) {
      if (item._tag !== "Record") return yield* fail("NotARejectsFile", `${formatLocation(item.location)} cannot be read: ${item.reason}`)
      // The writer neutralised cells that start like a formula with a leading quote.
      const location = restoreCell(item.data["location"])
      if (location === "") continue
      locations.add(location)
      const key = restoreCell(item.data["source_key"])
      if (key !== "") keys.set(location, key)
      const lines = restoreCell(item.data["field"]) === "(record)" ? linesOfUnreadableRow(restoreCell(item.data["reason"])) : 1
      const line = Number(/:(\d+)$/.exec(location)?.[1])
      if (lines > 1 && Number.isInteger(line)) spans.push({ from: line, lines })
    }
    const { shape, test } = locationShape(config)
    const foreign = [...locations].filter((location) => !test(location))
    if (foreign.length > 0) {
      return yield* fail("OtherSource", `its locations (${listed(foreign)}) are not of this job's source, whose locations read ${shape}`)
    }
    // A CRM is not read twice to check; a CSV file is cheap to.
    if (config.source.kind === "csv" && locations.size > 0) {
      const unseen = new Set(locations)
      const moved: Array<string> = []
      yield* Stream.runForEach(items, (item) =>
        Effect.gen(function*() {
          const location = formatLocation(item.location)
          if (!unseen.delete(location)) return
          const was = keys.get(location)
          if (was === undefined || item._tag !== "Record") return
          const result = mapper.mapPlain?.(item) ?? (yield* mapper.map(item))
          const now = Either.isRight(result) ? result.right.sourceKey : result.left.sourceKey
          if (typeof now === "string" && now !== was) moved.push(`${location} now holds ${now}, not ${was}`)
        }))
      if (unseen.size > 0) {
        return yield* fail("UnknownLocations", `no row of ${config.source.path} starts at ${listed([...unseen])}`)
      }
      if (moved.length > 0) {
        return yield* fail(
          "SourceChanged",
          `rows of ${config.source.path} moved since it was written (${listed(moved)}), so it would plan other records; ` +
            "plan without --only-rejects (a plan of every record is safe to run again)"
        )
      }
    }
    const prefix = config.source.kind === "csv" ? `${config.source.path}:` : undefined
    const inSpan = (location: string) => {
      if (prefix === undefined || spans.length === 0 || !location.startsWith(prefix)) return false
      const line = Number(location.slice(prefix.length))
      return spans.some((span) => line > span.from && line < span.from + span.lines)
    }
    return { has: (location) => locations.has(location) || inSpan(location) }
  })
