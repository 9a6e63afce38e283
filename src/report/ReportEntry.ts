/**
 * What a human report is made of, whoever produced it: a plan, an apply, and later a
 * reconcile or a sync cycle each turn their own items into these entries and hand
 * them to the same writer (`HtmlReport.ts`).
 */

/** One record's line in a report: who it is, where it came from, and what happens to it. */
export interface ReportEntry {
  /** The key of the section it belongs to (`update`, `created`, `reject`…). */
  readonly section: string
  readonly sourceKey: string | null
  readonly externalId: string | null
  /** Where the record came from, as people read it (`file:line`, `customer … / case …`). */
  readonly location: string
  readonly borrower: string | null
  readonly caseType: string | null
  readonly caseId: string | null
  /** Table rows under the section's `columns`; the first cell is the field name. */
  readonly rows?: ReadonlyArray<ReadonlyArray<unknown>>
  /** The field a reject is about. */
  readonly field?: string
  /** Why: a reject's reason, a conflict's explanation, an outcome's detail. */
  readonly reason?: string
  /** The whole source record of a reject, so nothing is lost. */
  readonly raw?: unknown
}

/** How a section is shown: every entry in pages, or counts per borrower and case type plus the first few. */
export type SectionMode = "detail" | "summary"

/** One section of a report, in the order the report shows them. */
export interface ReportSection {
  readonly key: string
  readonly title: string
  readonly mode: SectionMode
  /** Headers of the entries' `rows` tables (`field | before | after`); none for a plain list. */
  readonly columns?: ReadonlyArray<string>
  /** Rejects are shown as one table with location, field, reason and raw record. */
  readonly rejects?: boolean
}

/** What a report says before its entries: its title, the lines under it, and its sections. */
export interface ReportSpec {
  readonly title: string
  readonly lines: ReadonlyArray<string>
  readonly sections: ReadonlyArray<ReportSection>
}

/** One figure of the summary bar; `section` links it to the section it counts. */
export interface ReportCount {
  readonly label: string
  readonly value: number
  readonly section?: string
}

/** What is known only once every entry has gone by: the counts and the accounting line. */
export interface ReportTotals {
  readonly counts: ReadonlyArray<ReportCount>
  readonly accounting: string
}
