import { Chunk, Effect } from "effect"
import type { SourceItem, SourceLocation, UnreadableRecord } from "../SourceRecord.js"
import { lineBreaksIn, type UndecodableLines } from "./ByteDecoder.js"
import { CsvSourceError } from "./CsvSourceError.js"
import type { CsvEncoding, CsvSourceOptions } from "./CsvSourceOptions.js"
import { keptCharacters, type OversizedRows } from "./RecordGuard.js"

/** A row as csv-parse yields it with `raw: true`: its cells and the exact text they were read from. */
export interface ParsedRow {
  readonly record: ReadonlyArray<string>
  readonly raw: string
}

/** A row csv-parse gave up on, pushed into its output by our `on_skip` so it keeps its place in the stream. */
export interface SkippedRow {
  /** csv-parse's error code, e.g. `CSV_QUOTE_NOT_CLOSED`. */
  readonly skipped: string
  readonly message: string
  readonly raw: string
}

/** What the parser stage emits, in file order. */
export type ParserOutput = ParsedRow | SkippedRow

/** What is wrong with a list of column names (empty or repeated names), or undefined when nothing is. */
export const headerProblem = (names: ReadonlyArray<string>): string | undefined => {
  const positions = new Map<string, Array<number>>()
  names.forEach((name, index) => {
    const seen = positions.get(name)
    if (seen === undefined) positions.set(name, [index + 1])
    else seen.push(index + 1)
  })
  const problems: Array<string> = []
  const duplicates = [...positions].filter(([name, at]) => name !== "" && at.length > 1)
  if (duplicates.length > 0) {
    problems.push(
      `duplicate column names: ${duplicates.map(([name, at]) => `${JSON.stringify(name)} (columns ${at.join(", ")})`).join(", ")}`
    )
  }
  const empty = positions.get("")
  if (empty !== undefined) {
    problems.push(`empty column name${empty.length > 1 ? "s" : ""} at column${empty.length > 1 ? "s" : ""} ${empty.join(", ")}`)
  }
  return problems.length > 0 ? problems.join("; ") : undefined
}

const encodingNames: Record<CsvEncoding, string> = {
  "utf-8": "UTF-8",
  "windows-1252": "Windows-1252",
  "latin1": "Latin-1",
  "iso-8859-1": "Latin-1"
}

/** Settings the assembler needs; the rest of the CSV options concern the byte and parser stages. */
export type RowAssemblerOptions = Pick<
  CsvSourceOptions,
  "path" | "header" | "encoding" | "skipEmptyLines" | "trim" | "maxRecordSize"
>

/**
 * Turns parser output into source items, in order: takes the header, numbers every row
 * by the physical line it starts on, and makes an `UnreadableRecord` of each row with the
 * wrong number of cells, an unterminated quote, undecodable bytes or more than
 * `maxRecordSize` characters (cut out by the guard). One per read.
 */
export class RowAssembler {
  /** The physical line the next row starts on. */
  private nextLine = 1
  private columns: ReadonlyArray<string> | undefined
  /** The item after which reading stops (a runaway row), once there is one. */
  private finalItem: SourceItem | undefined = undefined

  constructor(
    private readonly options: RowAssemblerOptions,
    private readonly undecodable: UndecodableLines,
    private readonly oversized: OversizedRows
  ) {
    this.columns = options.header === true ? undefined : options.header
  }

  /** Whether `item` is the last one this read yields: the parser could not be trusted after it. */
  isFinal(item: SourceItem): boolean {
    return item === this.finalItem
  }

  /** The items for a batch of parser output; fails when the batch holds a broken header row. */
  push(rows: Iterable<ParserOutput>): Effect.Effect<Chunk.Chunk<SourceItem>, CsvSourceError> {
    const items: Array<SourceItem> = []
    for (const row of rows) {
      if (this.finalItem !== undefined) break
      const item = "skipped" in row ? this.skippedRow(row) : this.parsedRow(row)
      if (item instanceof CsvSourceError) return Effect.fail(item)
      if (item !== undefined) items.push(item)
    }
    return Effect.succeed(Chunk.unsafeFromArray(items))
  }

  /** Fails if the input ended before a header row was found. */
  end(): Effect.Effect<void, CsvSourceError> {
    return this.columns === undefined
      ? Effect.fail(this.headerError("the file has no header row (it is empty)"))
      : Effect.void
  }

  private parsedRow(row: ParsedRow): SourceItem | CsvSourceError | undefined {
    if (row.record.length === 1 && row.record[0] === this.oversized.marker) return this.oversizedRow()
    const line = this.nextLine
    const breaks = lineBreaks(row.raw)
    this.nextLine = line + breaks
    const lastLine = line + breaks - (endsWithLineBreak(row.raw) ? 1 : 0)
    const undecodable = this.undecodable.within(line, lastLine)
    const cells = row.record
    const blank = cells.length === 1 && cells[0] === "" && /^[\r\n]*$/.test(row.raw)
    if (blank && this.options.skipEmptyLines) return undefined

    if (this.columns === undefined) {
      if (undecodable) return this.headerError(`the header row (line ${line}) ${this.undecodableText()}`)
      const names = cells.map((name) => name.trim())
      const problem = headerProblem(names)
      if (problem !== undefined) return this.headerError(`the header row (line ${line}) has ${problem}`)
      this.columns = names
      return undefined
    }

    const location = this.location(line)
    const columns = this.columns
    if (undecodable) return unreadable(location, `the row ${this.undecodableText()}`, row.raw)
    if (cells.length !== columns.length) {
      const reason = blank
        ? `empty line, expected ${columns.length} cells`
        : `expected ${columns.length} cells, found ${cells.length}`
      return unreadable(location, reason, row.raw)
    }
    const trim = this.options.trim
    // One object per row, filled in place; a column named "__proto__" is defined as an own property
    // (assigning it would set the prototype), so it stays a column.
    const data: Record<string, string> = {}
    for (let i = 0; i < columns.length; i++) {
      const name = columns[i]!
      const value = trim ? cells[i]!.trim() : cells[i]!
      if (name === "__proto__") Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true })
      else data[name] = value
    }
    return { _tag: "Record", location, data }
  }

  /** The row the guard cut out in place of the marker row: a reject with its first characters, and reading goes on. */
  private oversizedRow(): SourceItem | CsvSourceError {
    const row = this.oversized.take()!
    const line = this.nextLine
    this.nextLine = line + row.lineBreaks
    const limit = `maxRecordSize (${this.options.maxRecordSize} characters)`
    if (this.columns === undefined) return this.headerError(`the header row (line ${line}) is longer than ${limit}`)
    const lines = row.lineBreaks + (row.endsWithLineBreak ? 0 : 1)
    const kept = row.length > keptCharacters ? `; raw holds its first ${keptCharacters} characters` : ""
    const reason = row.unclosedQuote
      ? `row longer than ${limit}: a quoted field opened in this row is never closed, so the rest of the file ` +
        `(${lines} line${lines === 1 ? "" : "s"}) was read as part of it${kept}`
      : `row longer than ${limit}: it has ${row.length} characters over ${lines} line${lines === 1 ? "" : "s"}; ` +
        `raise source.maxRecordSize if rows this long are expected${kept}`
    return unreadable(this.location(line), reason, row.prefix)
  }

  private skippedRow(row: SkippedRow): SourceItem | CsvSourceError {
    const line = this.nextLine
    this.nextLine = line + lineBreaks(row.raw)
    if (row.skipped === "CSV_QUOTE_NOT_CLOSED") {
      if (this.columns === undefined) {
        return this.headerError(`the header row (line ${line}) opens a quote that is never closed`)
      }
      const lines = lineBreaks(row.raw) + (endsWithLineBreak(row.raw) ? 0 : 1)
      return unreadable(
        this.location(line),
        `unterminated quote: a quoted field opened in this row is never closed, so the rest of the file (${lines} line${
          lines === 1 ? "" : "s"
        }) was read as part of it`,
        row.raw
      )
    }
    // Anything else leaves csv-parse in a state we cannot trust (it drops the rest of the
    // chunk it was reading), so this row ends the read.
    const reason = row.skipped === "CSV_MAX_RECORD_SIZE"
      ? `row longer than ${this.options.maxRecordSize} characters, most likely a quote that is never closed; ` +
        "reading stopped here and the rest of the file was not read"
      : `the CSV parser gave up on this row (${row.message}); reading stopped here and the rest of the file was not read`
    if (this.columns === undefined) return this.headerError(`the header row (line ${line}): ${reason}`)
    const item = unreadable(this.location(line), reason, row.raw)
    this.finalItem = item
    return item
  }

  private location(line: number): SourceLocation {
    return { _tag: "csv", file: this.options.path, line }
  }

  private undecodableText(): string {
    const encoding = this.options.encoding
    return encoding === "utf-8"
      ? "contains bytes that are not valid UTF-8; if the file is Windows-1252 or Latin-1, set encoding in the CSV options"
      : `contains bytes that are undefined in ${encodingNames[encoding]}; check the encoding in the CSV options`
  }

  private headerError(detail: string): CsvSourceError {
    return new CsvSourceError({ path: this.options.path, reason: "InvalidHeader", detail })
  }
}

// == physical lines

/**
 * The line breaks in a row's raw text. A row ended by CRLF keeps only the CR in csv-parse's
 * `raw` (the LF is skipped as part of the delimiter), and a CR counts as a break of its own.
 */
const lineBreaks = (raw: string): number => lineBreaksIn(raw, false)

const endsWithLineBreak = (raw: string): boolean => raw.endsWith("\n") || raw.endsWith("\r")

const unreadable = (location: SourceLocation, reason: string, raw: string): UnreadableRecord => ({
  _tag: "Unreadable",
  location,
  reason,
  raw: raw.replace(/\r?\n$|\r$/, "")
})

/**
 * How many lines of the file an unreadable row's reason (as this assembler words it) says the
 * row stood for: a quote that never closed swallows the rows after it, which are rows of their
 * own once it is fixed; Infinity when reading stopped at the row. Read back from a rejects file,
 * whose raw text may hold only a row's first characters; kept beside the wording it reads.
 */
export const linesOfUnreadableRow = (reason: string): number => {
  if (/the rest of the file was not read/.test(reason)) return Infinity
  const lines = /\((\d+) lines?\) was read as part of it|over (\d+) lines?/.exec(reason)
  return lines === null ? 1 : Number(lines[1] ?? lines[2])
}
