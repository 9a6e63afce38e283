import { Schema } from "effect"

const noLineBreak = (what: string) =>
  Schema.NonEmptyString.pipe(
    Schema.filter((s) => !/[\r\n]/.test(s) || `${what} cannot contain a line break`)
  )

/** Text encodings a CSV export can be in; `latin1` and `iso-8859-1` are the same strict ISO-8859-1. */
export const CsvEncoding = Schema.Literal("utf-8", "windows-1252", "latin1", "iso-8859-1")
export type CsvEncoding = typeof CsvEncoding.Type

/**
 * How to read one CSV file; every field but `path` has a default, so the run
 * config YAML only names what differs from a plain UTF-8, comma-separated export.
 */
export const CsvSourceOptions = Schema.Struct({
  /** The file, as given: records' locations repeat it verbatim. */
  path: Schema.NonEmptyString,
  delimiter: Schema.optionalWith(noLineBreak("delimiter"), { default: () => "," }),
  quote: Schema.optionalWith(noLineBreak("quote"), { default: () => "\"" }),
  /** Escapes a quote inside a quoted field; the default (the quote itself) means `""`. */
  escape: Schema.optionalWith(noLineBreak("escape"), { default: () => "\"" }),
  encoding: Schema.optionalWith(CsvEncoding, { default: () => "utf-8" as const }),
  /** `"auto"` gunzips when the path ends in `.gz`. */
  gzip: Schema.optionalWith(Schema.Union(Schema.Boolean, Schema.Literal("auto")), { default: () => "auto" as const }),
  /** `true`: the first row names the columns; a list of names: the file has no header row. */
  header: Schema.optionalWith(
    Schema.Union(Schema.Literal(true), Schema.NonEmptyArray(Schema.String)),
    { default: () => true as const }
  ),
  skipEmptyLines: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Strip whitespace around every cell, quoted or not (header names are always trimmed). */
  trim: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /**
   * Longest row, in characters, before reading stops: a row that long is almost
   * always a quote that was never closed swallowing the rest of the file.
   */
  maxRecordSize: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1_000_000 })
})
export type CsvSourceOptions = typeof CsvSourceOptions.Type
