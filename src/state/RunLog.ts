import { SqlClient } from "@effect/sql/SqlClient"
import { DateTime, Effect, Option, Schema } from "effect"
import { decodeRows, nowIso, orStateError, toIso } from "./StateSql.js"
import { StateStoreError } from "./StateStoreError.js"

/** How a run ended. */
export const RunOutcome = Schema.Literal("succeeded", "failed", "interrupted")
export type RunOutcome = typeof RunOutcome.Type

/** Named counters a run reports when it ends (e.g. created, updated, rejected). */
export const RunCounts = Schema.Record({ key: Schema.String, value: Schema.Number })
export type RunCounts = typeof RunCounts.Type

/** One plan/apply/sync invocation as recorded in the run log; `endedAt`/`outcome` stay null while it runs (or if it crashed). */
export const Run = Schema.Struct({
  runId: Schema.String,
  command: Schema.String,
  configDigest: Schema.String,
  startedAt: Schema.String,
  endedAt: Schema.NullOr(Schema.String),
  outcome: Schema.NullOr(RunOutcome),
  counts: RunCounts
})
export type Run = typeof Run.Type

/** What starting a run records; `startedAt` defaults to the Clock's now. */
export interface StartRun {
  readonly runId: string
  readonly command: string
  readonly configDigest: string
  readonly startedAt?: DateTime.DateTime | undefined
}

/** What finishing a run records; `endedAt` defaults to the Clock's now. */
export interface FinishRun {
  readonly endedAt?: DateTime.DateTime | undefined
  readonly outcome: RunOutcome
  readonly counts: RunCounts
}

/** The run-log operations of the state store. */
export interface RunLog {
  /** Records the start of a run; fails with `Duplicate` if the run id was used before. */
  readonly startRun: (input: StartRun) => Effect.Effect<Run, StateStoreError>
  /** Records how a run ended; fails with `NotFound` for an unknown run id. */
  readonly finishRun: (runId: string, input: FinishRun) => Effect.Effect<Run, StateStoreError>
  /** The run with this id, if any. */
  readonly getRun: (runId: string) => Effect.Effect<Option.Option<Run>, StateStoreError>
  /** The most recent runs, newest first. */
  readonly listRuns: (options: { readonly limit: number }) => Effect.Effect<ReadonlyArray<Run>, StateStoreError>
}

const RunRow = Schema.Struct({
  runId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("run_id")),
  command: Schema.String,
  configDigest: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("config_digest")),
  startedAt: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("started_at")),
  endedAt: Schema.propertySignature(Schema.NullOr(Schema.String)).pipe(Schema.fromKey("ended_at")),
  outcome: Schema.NullOr(RunOutcome),
  counts: Schema.parseJson(RunCounts)
})

const decodeRuns = decodeRows(RunRow, "runs")

const firstOrNotFound = (runId: string) => (runs: ReadonlyArray<Run>) =>
  runs.length > 0
    ? Effect.succeed(runs[0])
    : Effect.fail(new StateStoreError({ reason: "NotFound", detail: `no run with id ${runId}` }))

/** Builds the run log on the ambient SqlClient (tables created by the state-store migrations). */
export const makeRunLog: Effect.Effect<RunLog, never, SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient

  const startRun = Effect.fn("StateStore.startRun")(function*(input: StartRun) {
    const startedAt = input.startedAt ? toIso(input.startedAt) : yield* nowIso
    const rows = yield* sql`INSERT INTO runs ${
      sql.insert({
        run_id: input.runId,
        command: input.command,
        config_digest: input.configDigest,
        started_at: startedAt,
        ended_at: null,
        outcome: null,
        counts: "{}"
      })
    } RETURNING *`.pipe(orStateError(`starting run ${input.runId}`))
    return yield* decodeRuns(rows).pipe(Effect.flatMap(firstOrNotFound(input.runId)))
  })

  const finishRun = Effect.fn("StateStore.finishRun")(function*(runId: string, input: FinishRun) {
    const endedAt = input.endedAt ? toIso(input.endedAt) : yield* nowIso
    const rows = yield* sql`UPDATE runs SET ended_at = ${endedAt}, outcome = ${input.outcome},
      counts = ${JSON.stringify(input.counts)} WHERE run_id = ${runId} RETURNING *`.pipe(
        orStateError(`finishing run ${runId}`)
      )
    return yield* decodeRuns(rows).pipe(Effect.flatMap(firstOrNotFound(runId)))
  })

  const getRun = Effect.fn("StateStore.getRun")(function*(runId: string) {
    const rows = yield* sql`SELECT * FROM runs WHERE run_id = ${runId}`.pipe(orStateError(`reading run ${runId}`))
    return Option.fromNullable((yield* decodeRuns(rows))[0])
  })

  const listRuns = Effect.fn("StateStore.listRuns")(function*(options: { readonly limit: number }) {
    const limit = Math.max(0, Math.floor(options.limit))
    const rows = yield* sql`SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ${limit}`.pipe(
      orStateError("listing runs")
    )
    return yield* decodeRuns(rows)
  })

  return { startRun, finishRun, getRun, listRuns }
})
