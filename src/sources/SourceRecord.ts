import { Schema } from "effect"

/**
 * Where a source record came from, precise enough for a person to find it again:
 * a CSV file and line, or a CRM customer and case id.
 */
export const SourceLocation = Schema.Union(
  Schema.TaggedStruct("csv", {
    file: Schema.String,
    /** 1-based physical line where the record starts (after the header). */
    line: Schema.Int
  }),
  Schema.TaggedStruct("khoros", {
    customerId: Schema.String,
    caseId: Schema.String
  })
)
export type SourceLocation = typeof SourceLocation.Type

/** Renders a location the way rejects files and reports show it: `file:line` or `customer/case`. */
export const formatLocation = (location: SourceLocation): string =>
  location._tag === "csv"
    ? `${location.file}:${location.line}`
    : `customer ${location.customerId} / case ${location.caseId}`

/**
 * One record read from a legacy source, before mapping: its location and its raw
 * fields exactly as the source gave them (CSV cells are strings; CRM JSON keeps its types).
 */
export interface SourceRecord {
  readonly location: SourceLocation
  readonly data: Readonly<Record<string, unknown>>
}
