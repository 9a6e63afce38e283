import { parse } from "csv-parse/sync"
import * as fs from "node:fs"

/** The numbers of one accounting line as printed (`read N = created a + updated b + …`). */
export interface Accounting {
  readonly read: number
  readonly create: number
  readonly update: number
  readonly unchanged: number
  readonly reject: number
  readonly conflict: number
  readonly skipped: number
}

const line =
  /read (\d+) = (?:to create|created) (\d+) \+ (?:to update|updated) (\d+) \+ unchanged (\d+) \+ rejected (\d+) \+ conflicts (\d+) \+ skipped (\d+)/g

/** Every accounting line of a command's output, in order (a migrate prints the plan's, then the apply's). */
export const accountingLines = (stdout: string): Array<Accounting> =>
  Array.from(stdout.matchAll(line), (m) => {
    const [read, create, update, unchanged, reject, conflict, skipped] = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number
    ]
    return { read, create, update, unchanged, reject, conflict, skipped }
  })

/** The last accounting line printed (the apply's, for a migrate); fails the test when there is none. */
export const finalAccounting = (stdout: string): Accounting => {
  const all = accountingLines(stdout)
  const last = all[all.length - 1]
  if (last === undefined) throw new Error(`no accounting line in the output:\n${stdout}`)
  return last
}

/** Whether read equals the sum of the other terms, as the line claims. */
export const balances = (a: Accounting): boolean =>
  a.read === a.create + a.update + a.unchanged + a.reject + a.conflict + a.skipped

/** One row of `results.csv` or `rejects.csv`, by column name. */
export type CsvRow = Readonly<Record<string, string>>

/** Reads an output CSV (results or rejects) into rows by column name. */
export const readCsvRows = (file: string): Array<CsvRow> =>
  parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true }) as Array<CsvRow>
