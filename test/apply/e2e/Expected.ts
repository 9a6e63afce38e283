import { parse } from "csv-parse/sync"
import * as fs from "node:fs"
import * as path from "node:path"
import { repoRoot, samples } from "./Workspace.js"

/**
 * What a migration of a sample must leave in the target, computed from the sample files
 * themselves (the CSV, its `.expected.json`, the CRM's `cases.json`) and not from casesync's
 * code, so a mapping or planner bug cannot also bend the expectation.
 */

/** One case the target must hold exactly once after the migration. */
export interface ExpectedCase {
  readonly externalId: string
  /** The mapping's key: the legacy case id. */
  readonly sourceKey: string
  /** The borrower's externalId (a `BRW-…` id). */
  readonly borrower: string
  /** Name of the case type the case must be of. */
  readonly caseType: string
  /** The source's text for the case name, trimmed; the target may hold it truncated to 120 with "…". */
  readonly name: string
  readonly status: string
  /** The source's instant (any offset): the target's `openedAt` must be the same instant. */
  readonly openedAt: string
}

/** The outcome of migrating a sample into the sandbox's seed state. */
export interface ExpectedMigration {
  readonly read: number
  readonly created: ReadonlyArray<ExpectedCase>
  /** The records that must be rejected: their legacy id, and for a CSV the physical line they start on. */
  readonly rejected: ReadonlyArray<{ readonly sourceKey: string; readonly line?: number }>
}

/** The borrowers' externalIds the sandbox is seeded with (`samples/peach/people.json`). */
export const sandboxBorrowers: ReadonlySet<string> = new Set(
  (JSON.parse(fs.readFileSync(path.join(repoRoot, "samples/peach/people.json"), "utf-8")) as Array<{ externalId: string | null }>)
    .flatMap((person) => (person.externalId === null ? [] : [person.externalId]))
)

// == the legacy CSV export

interface ExpectedRow {
  readonly caseId: string
  readonly openedAt: string | null
  readonly reject: { readonly field: string; readonly reason: string } | null
}

/** `samples/csv/legacy-cases.expected.json`: each record by the physical line it starts on. */
export const csvExpectedRows: ReadonlyArray<ExpectedRow & { readonly line: number }> = Object.entries(
  JSON.parse(fs.readFileSync(samples.csvExpected, "utf-8")) as Record<string, ExpectedRow>
)
  .map(([line, row]) => ({ ...row, line: Number(line) }))
  .sort((a, b) => a.line - b.line)

const legacyStatus: Record<string, string> = {
  OPEN: "initiated",
  IN_PROGRESS: "processing",
  CLOSED: "completed",
  CANCELLED: "canceled",
  REOPENED: "reopened"
}
const legacyCaseType: Record<string, string> = { GEN: "Legacy servicing case", BK: "Bankruptcy", DISP: "Dispute of debt" }

/** The CSV's rows by legacy case id (the malformed row at line 289 is parsed leniently; it is a reject anyway). */
const csvRows = (file: string): ReadonlyMap<string, Record<string, string>> => {
  const rows = parse(fs.readFileSync(file), { bom: true, columns: true, relax_column_count: true, skip_empty_lines: true }) as Array<
    Record<string, string>
  >
  return new Map(rows.map((row) => [row["case_id"]!, row]))
}

/** The physical line after which a copy keeps exactly the first `records` records of the CSV sample. */
export const csvLinesOfFirstRecords = (records: number): number => {
  const next = csvExpectedRows[records]
  if (next === undefined) throw new Error(`the CSV sample has only ${csvExpectedRows.length} records`)
  return next.line - 1
}

/**
 * What migrating the CSV sample's first `records` records (default all) into a fresh sandbox
 * gives: the rows `.expected.json` accepts whose borrower the sandbox knows are created, the
 * rest rejected (line 23 names borrower BRW-9999, which the planner must find missing).
 */
export const expectedCsv = (options: { readonly records?: number; readonly csv?: string } = {}): ExpectedMigration => {
  const rows = csvExpectedRows.slice(0, options.records ?? csvExpectedRows.length)
  const source = csvRows(options.csv ?? samples.csv)
  const created: Array<ExpectedCase> = []
  const rejected: Array<{ sourceKey: string; line: number }> = []
  for (const row of rows) {
    const cells = source.get(row.caseId)
    if (cells === undefined) throw new Error(`${row.caseId} is in the expected file but not in the CSV`)
    const borrower = (cells["borrower_ref"] ?? "").trim()
    if (row.reject !== null || row.openedAt === null || !sandboxBorrowers.has(borrower)) {
      rejected.push({ sourceKey: row.caseId, line: row.line })
      continue
    }
    created.push({
      externalId: `legacy-${row.caseId}`,
      sourceKey: row.caseId,
      borrower,
      caseType: legacyCaseType[(cells["case_type"] ?? "").trim()] ?? `unknown code ${cells["case_type"]}`,
      name: (cells["subject"] ?? "").trim(),
      status: legacyStatus[(cells["status"] ?? "").trim()] ?? `unknown code ${cells["status"]}`,
      openedAt: row.openedAt
    })
  }
  return { read: rows.length, created, rejected }
}

// == the Khoros-style CRM

interface KhorosCase {
  readonly id: string
  readonly customerId: string
  readonly title: string
  readonly status: string
  readonly created: string
}

/**
 * What migrating the sandbox CRM's cases gives: a case whose title is blank (the mapping
 * requires a name) or whose `created` carries no offset (openedAt must be an instant) is
 * rejected, every other one created under its customer's borrower.
 */
export const expectedKhoros = (): ExpectedMigration => {
  const cases = JSON.parse(fs.readFileSync(samples.khorosCases, "utf-8")) as Array<KhorosCase>
  const created: Array<ExpectedCase> = []
  const rejected: Array<{ sourceKey: string }> = []
  for (const kase of cases) {
    if (kase.title.trim() === "" || !/(Z|[+-]\d{2}:\d{2})$/.test(kase.created)) {
      rejected.push({ sourceKey: kase.id })
      continue
    }
    created.push({
      externalId: `khoros-${kase.id}`,
      sourceKey: kase.id,
      borrower: kase.customerId,
      caseType: "CRM conversation",
      name: kase.title.trim(),
      status: ({ open: "processing", closed: "completed" } as Record<string, string>)[kase.status] ?? `unknown ${kase.status}`,
      openedAt: kase.created
    })
  }
  return { read: cases.length, created, rejected }
}
