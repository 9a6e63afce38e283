import { Effect, Schema, Stream } from "effect"
import { readCsv } from "../csv/CsvSource.js"
import type { CsvSourceError } from "../csv/CsvSourceError.js"
import { CsvSourceOptions } from "../csv/CsvSourceOptions.js"
import { formatLocation } from "../SourceRecord.js"

/**
 * Where the ids of the CRM customers to read come from (run config): a list, a column of a
 * CSV file, or the target's borrowers (their `externalId`s, which are the CRM's customer ids).
 */
export const KhorosCustomerSource = Schema.Union(
  Schema.TaggedStruct("List", { ids: Schema.Array(Schema.String) }),
  Schema.TaggedStruct("CsvColumn", { csv: CsvSourceOptions, column: Schema.NonEmptyString }),
  Schema.TaggedStruct("Borrowers", {})
)
export type KhorosCustomerSource = typeof KhorosCustomerSource.Type

/** Why the customer list could not be read completely; a list with a hole would silently skip a customer's cases. */
export class KhorosCustomerListError extends Schema.TaggedError<KhorosCustomerListError>()(
  "KhorosCustomerListError",
  {
    reason: Schema.Literal("ColumnMissing", "UnreadableRow"),
    file: Schema.String,
    detail: Schema.String
  }
) {
  override get message(): string {
    return `Cannot read the CRM customer ids from ${this.file}: ${this.detail}`
  }
}

/** Customer ids from a list in the config: trimmed, blanks dropped. */
export const customerIdsFromList = (ids: ReadonlyArray<string>): Stream.Stream<string> =>
  Stream.fromIterable(ids).pipe(Stream.map((id) => id.trim()), Stream.filter((id) => id !== ""))

/**
 * Customer ids from one column of a CSV file, read with the CSV source: blank cells are skipped;
 * a missing column or an unreadable row fails, naming the file and line.
 */
export const customerIdsFromCsv = (
  csv: CsvSourceOptions,
  column: string
): Stream.Stream<string, KhorosCustomerListError | CsvSourceError> =>
  readCsv(csv).pipe(
    Stream.mapEffect((item) => {
      if (item._tag === "Unreadable") {
        return new KhorosCustomerListError({
          reason: "UnreadableRow",
          file: csv.path,
          detail: `${formatLocation(item.location)}: ${item.reason}`
        })
      }
      const cell = item.data[column]
      if (cell === undefined) {
        return new KhorosCustomerListError({
          reason: "ColumnMissing",
          file: csv.path,
          detail: `no column ${JSON.stringify(column)} (columns: ${Object.keys(item.data).join(", ")})`
        })
      }
      return Effect.succeed(String(cell).trim())
    }),
    Stream.filter((id) => id !== "")
  )

/**
 * Customer ids from the target's borrowers: each borrower's `externalId` (borrowers without
 * one cannot be CRM customers and are skipped). Takes the borrower stream so this module does
 * not depend on the target client (pass e.g. the Peach client's `listPeople()`).
 */
export const customerIdsFromBorrowers = <E, R>(
  borrowers: Stream.Stream<{ readonly externalId?: string | null | undefined }, E, R>
): Stream.Stream<string, E, R> =>
  borrowers.pipe(
    Stream.map((person) => person.externalId?.trim() ?? ""),
    Stream.filter((id) => id !== "")
  )

/** The customer ids a configured source names; `borrowers` supplies the target's borrowers when asked for. */
export const customerIds = <E, R>(
  source: KhorosCustomerSource,
  borrowers: () => Stream.Stream<{ readonly externalId?: string | null | undefined }, E, R>
): Stream.Stream<string, E | KhorosCustomerListError | CsvSourceError, R> => {
  switch (source._tag) {
    case "List":
      return customerIdsFromList(source.ids)
    case "CsvColumn":
      return customerIdsFromCsv(source.csv, source.column)
    case "Borrowers":
      return customerIdsFromBorrowers(borrowers())
  }
}
