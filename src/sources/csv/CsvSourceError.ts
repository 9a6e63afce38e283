import { Schema } from "effect"

/** Why a CSV file could not be read at all; bad rows are never this, they are `Unreadable` items. */
export const CsvSourceErrorReason = Schema.Literal("FileNotFound", "NotAFile", "ReadFailed", "InvalidHeader", "InvalidOptions", "UnsupportedEncoding")
export type CsvSourceErrorReason = typeof CsvSourceErrorReason.Type

const hints: Record<CsvSourceErrorReason, string> = {
  FileNotFound: "check the path in the run config",
  NotAFile: "check the path in the run config: it must name a file",
  ReadFailed: "the file exists but its bytes could not be read to the end",
  InvalidHeader: "fix the header row of the file, or give the column names in the run config",
  InvalidOptions: "fix the CSV options in the run config",
  UnsupportedEncoding: "save it as UTF-8 (or Windows-1252 / Latin-1, with encoding set in the CSV options)"
}

/** A CSV file that cannot be read as a whole (missing, unreadable, broken header), with its path and why. */
export class CsvSourceError extends Schema.TaggedError<CsvSourceError>()("CsvSourceError", {
  path: Schema.String,
  reason: CsvSourceErrorReason,
  detail: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `Cannot read CSV file ${this.path}: ${this.detail} (${this.reason}: ${hints[this.reason]})`
  }
}
