// Shared SQL plumbing of the state store modules: time format, error wrapping, row decoding, batching.
import type { SqlClient } from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Clock, DateTime, Effect, Schema } from "effect"
import { fromSqlError, StateStoreError } from "./StateStoreError.js"

/** The current time from Effect's Clock as a UTC ISO string, the one time format the state store writes. */
export const nowIso: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/** A DateTime as the UTC ISO string the state store writes. */
export const toIso = (dateTime: DateTime.DateTime): string => DateTime.formatIso(DateTime.toUtc(dateTime))

/** Runs a statement, turning SqlError into a StateStoreError that says what was being done. */
export const orStateError = (detail: string) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.mapError(self, fromSqlError(detail))

/**
 * Runs `effect` as one transaction (nested in a caller's as a savepoint). The writes inside keep
 * their own errors; only the transaction's own failure (BEGIN, COMMIT) is a SqlError, and it
 * becomes a StateStoreError that says what was being done.
 */
export const inOneTransaction = (sql: SqlClient, detail: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  sql.withTransaction(effect).pipe(
    Effect.catchIf(
      (error): error is SqlError => error instanceof SqlError,
      (error) => Effect.fail(fromSqlError(detail)(error))
    )
  ) as Effect.Effect<A, Exclude<E, SqlError> | StateStoreError, R>

/** Decodes stored rows with a row schema, failing with a `Decode` StateStoreError that names the table. */
export const decodeRows = <A, I>(schema: Schema.Schema<A, I>, table: string) => {
  const decode = Schema.decodeUnknown(Schema.Array(schema))
  return (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<A>, StateStoreError> =>
    Effect.mapError(decode(rows), (cause) =>
      new StateStoreError({ reason: "Decode", detail: `reading ${table}: ${cause.message}`, cause }))
}

/** Splits a batch so one statement stays well below SQLite's and Postgres' bound-parameter limits. */
export const chunksOf = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}
