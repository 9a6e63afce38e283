import { Schema } from "effect"

/** `{status, message, data}`: how the API wraps one object (seeds 000–002). */
export const ItemEnvelope = <A, I, R>(data: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    // The HTTP status is what counts; the body's copy of it may be absent.
    status: Schema.optional(Schema.Int),
    message: Schema.optional(Schema.NullOr(Schema.String)),
    data
  })

/**
 * `{status, total, count, nextUrl, previousUrl, data}`: a page of a list (seed 000).
 * Case-type and escalation lists omit `total` and the URLs (seed 002), hence optional;
 * casesync reads only `data` and `nextUrl`, so the rest may be absent too.
 */
export const ListEnvelope = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    status: Schema.optional(Schema.Int),
    total: Schema.optional(Schema.NullOr(Schema.Int)),
    count: Schema.optional(Schema.Int),
    nextUrl: Schema.optional(Schema.NullOr(Schema.String)),
    previousUrl: Schema.optional(Schema.NullOr(Schema.String)),
    data: Schema.Array(item)
  })

/**
 * Error body of the Peach-style API. The seeds show only success bodies; this is the
 * common `{status, message}` shape plus per-field messages for a 400, so a client
 * can tell a person which field the server refused and why.
 */
export const ErrorBody = Schema.Struct({
  status: Schema.optional(Schema.Int),
  message: Schema.optional(Schema.NullOr(Schema.String)),
  errors: Schema.optional(
    Schema.Array(Schema.Struct({ field: Schema.String, message: Schema.String }))
  )
})
export type ErrorBody = typeof ErrorBody.Type
