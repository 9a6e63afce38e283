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
  readonly _tag: "Record"
  readonly location: SourceLocation
  readonly data: Readonly<Record<string, unknown>>
}

/**
 * A piece of source input that could not even be read as a record (a CSV row with
 * the wrong number of cells, an unterminated quote, undecodable bytes). It is kept,
 * raw, so that it lands in the rejects file instead of disappearing.
 */
export interface UnreadableRecord {
  readonly _tag: "Unreadable"
  readonly location: SourceLocation
  readonly reason: string
  readonly raw: string
}

/** What a source stream yields: a record to map, or input that could not be read. */
export type SourceItem = SourceRecord | UnreadableRecord
