import { Schema } from "effect"
import { SourceLocation, type UnreadableRecord } from "../sources/SourceRecord.js"

/**
 * A source record that could not be mapped, kept whole so nothing is lost: where it came
 * from, which field failed (the source path, or the target field when no single source
 * field is to blame), why, and the raw record (the raw text for an unreadable row). The
 * applier writes these to the rejects file; `sourceKey`/`externalId` are filled when they
 * could still be computed, so a later fix can be matched to the same case.
 */
export const Rejection = Schema.TaggedStruct("Rejection", {
  location: SourceLocation,
  sourceKey: Schema.NullOr(Schema.String),
  externalId: Schema.NullOr(Schema.String),
  field: Schema.String,
  reason: Schema.String,
  raw: Schema.Union(Schema.Record({ key: Schema.String, value: Schema.Unknown }), Schema.String)
})
export type Rejection = typeof Rejection.Type

/** The field a rejection names when the whole row could not be read. */
export const wholeRecord = "(record)"

/** Turns input the source could not read (wrong cell count, broken quoting) into a rejection. */
export const rejectUnreadable = (item: UnreadableRecord): Rejection =>
  Rejection.make({
    location: item.location,
    sourceKey: null,
    externalId: null,
    field: wholeRecord,
    reason: item.reason,
    raw: item.raw
  })
