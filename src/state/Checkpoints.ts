import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Option, Schema } from "effect"
import { decodeRows, nowIso, orStateError } from "./StateSql.js"
import type { StateStoreError } from "./StateStoreError.js"

/** A checkpoint is a flat record of scalars (e.g. a cursor and a page number), so any source can resume from it. */
export const CheckpointValue = Schema.Record({
  key: Schema.String,
  value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null)
})
export type CheckpointValue = typeof CheckpointValue.Type

/** The checkpoint operations of the state store. */
export interface Checkpoints {
  /** Stores (replacing) the checkpoint `name` of a job. */
  readonly putCheckpoint: (job: string, name: string, value: CheckpointValue) => Effect.Effect<void, StateStoreError>
  /** The checkpoint `name` of a job, if one was stored. */
  readonly getCheckpoint: (job: string, name: string) => Effect.Effect<Option.Option<CheckpointValue>, StateStoreError>
}

const CheckpointRow = Schema.Struct({ value: Schema.parseJson(CheckpointValue) })
const decodeCheckpoints = decodeRows(CheckpointRow, "checkpoints")

/** Builds the checkpoint operations on the ambient SqlClient (tables created by the state-store migrations). */
export const makeCheckpoints: Effect.Effect<Checkpoints, never, SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient

  const putCheckpoint = Effect.fn("StateStore.putCheckpoint")(
    function*(job: string, name: string, value: CheckpointValue) {
      const updatedAt = yield* nowIso
      yield* sql`INSERT INTO checkpoints ${
        sql.insert({ job, name, value: JSON.stringify(value), updated_at: updatedAt })
      } ON CONFLICT (job, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`.pipe(
        orStateError(`storing checkpoint ${job}/${name}`)
      )
    }
  )

  const getCheckpoint = Effect.fn("StateStore.getCheckpoint")(function*(job: string, name: string) {
    const rows = yield* sql`SELECT value FROM checkpoints WHERE job = ${job} AND name = ${name}`.pipe(
      orStateError(`reading checkpoint ${job}/${name}`),
      Effect.flatMap(decodeCheckpoints)
    )
    return Option.map(Option.fromNullable(rows[0]), (row) => row.value)
  })

  return { putCheckpoint, getCheckpoint }
})
