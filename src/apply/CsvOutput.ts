import { stringify } from "csv-stringify/sync"
import { Data, Effect, type Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

/** An output file that could not be written. */
export class OutputFileError extends Data.TaggedError("OutputFileError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `cannot write ${this.file}: ${this.reason}`
  }
}

// Cells a spreadsheet would run as a formula (OWASP "CSV injection"): =, +, -, @,
// and the tab / carriage return that some of them skip before looking.
const formulaStart = /^[=+\-@\t\r]/

/** Makes a cell safe to open in a spreadsheet: a leading formula character is escaped with `'`. */
export const neutralise = (value: unknown): string => {
  const text = value === null || value === undefined
    ? ""
    : typeof value === "string"
    ? value
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value)
  return formulaStart.test(text) ? `'${text}` : text
}

/** A cell as it was before `neutralise`: reading a rejects file back. */
export const restoreCell = (value: unknown): string => {
  const text = String(value ?? "")
  return text.startsWith("'") && formulaStart.test(text.slice(1)) ? text.slice(1) : text
}

/** Appends rows to one CSV file with a fixed header; every cell is neutralised. */
export interface CsvOutput<Row> {
  readonly file: string
  readonly write: (row: Row) => Effect.Effect<void, OutputFileError>
  readonly rows: () => number
}

/**
 * Opens a CSV output for the life of the scope. The header is written at once, so
 * even a run with nothing to report leaves a file a person can open.
 */
export const openCsvOutput = <const Columns extends ReadonlyArray<string>>(
  file: string,
  columns: Columns
): Effect.Effect<CsvOutput<Record<Columns[number], unknown>>, OutputFileError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
        const fd = fs.openSync(file, "w")
        fs.writeSync(fd, stringify([columns as unknown as Array<string>]))
        return fd
      },
      catch: (error) => new OutputFileError({ file, reason: String(error) })
    }),
    (fd) => Effect.sync(() => fs.closeSync(fd))
  ).pipe(Effect.map((fd) => {
    let count = 0
    return {
      file,
      rows: () => count,
      write: (row: Record<Columns[number], unknown>) =>
        Effect.try({
          try: () => {
            fs.writeSync(fd, stringify([columns.map((column) => neutralise(row[column as Columns[number]]))]))
            count++
          },
          catch: (error) => new OutputFileError({ file, reason: String(error) })
        })
    }
  }))
