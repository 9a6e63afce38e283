import { SqlClient } from "@effect/sql/SqlClient"
import { Effect, Option, Schema } from "effect"
import { createHash } from "node:crypto"
import { resolveConflict } from "../sync/ConflictQueue.js"
import type { FieldSyncState, QueuedConflict, SideValues, Take } from "../sync/FieldState.js"
import type { Side } from "../sync/SyncPolicy.js"
import type { WriteRecord } from "../sync/WarGuard.js"
import { chunksOf, decodeRows, nowIso, orStateError } from "./StateSql.js"
import { StateStoreError } from "./StateStoreError.js"
import type { WriteState } from "./LedgerEntry.js"

/** A queued conflict as the store lists it: a short stable id a person can type, and where it belongs. */
export interface StoredConflict {
  readonly id: string
  readonly job: string
  readonly sourceKey: string
  readonly field: string
  readonly conflict: QueuedConflict
  /** When the store first held it (wall clock; `conflict.since` is the cycle). */
  readonly openedAt: string
}

/** One sync write to one side of one record, journalled like apply's: `sent` before the request, `confirmed` after the answer. */
export interface SideWriteEntry {
  readonly job: string
  readonly sourceKey: string
  readonly side: Side
  readonly writeState: Extract<WriteState, "sent" | "confirmed">
  readonly body: unknown
  readonly runId: string
  readonly updatedAt: string
  /**
   * The id of what a create made on its side (a CRM case id), once known: from the side's answer
   * when `confirmed`, or what a person said while it stays `sent` without one; else null.
   */
  readonly resolvedAs: string | null
}

/** A person's word on a write sent without an answer: it made this record (by id), or it never landed. */
export type SentWriteResolution = { readonly _tag: "made"; readonly id: string } | { readonly _tag: "notMade" }

/** The two-way sync's part of the state store: per record and owned field, the core's FieldSyncState; the conflict queue; the per-side write journal. */
export interface SyncStates {
  /** The stored field states of these records, by source key then field (a record or field never synced is absent). */
  readonly getFieldStates: (
    job: string,
    sourceKeys: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, Readonly<Record<string, FieldSyncState>>>, StateStoreError>
  /**
   * Stores the states of a record's fields in one transaction: bases and write history per
   * field, and the queue (a field with a conflict is queued or updated, one without leaves it).
   */
  readonly putFieldStates: (
    job: string,
    sourceKey: string,
    states: Readonly<Record<string, FieldSyncState>>
  ) => Effect.Effect<void, StateStoreError>
  /** The job's queued conflicts, by record then field. */
  readonly listConflicts: (job: string) => Effect.Effect<ReadonlyArray<StoredConflict>, StateStoreError>
  /** Records a person's choice on the given conflicts (or all of the job's); fails with `NotFound` naming an unknown id, changing nothing. */
  readonly resolveConflicts: (
    job: string,
    ids: "all" | ReadonlyArray<string>,
    take: Take
  ) => Effect.Effect<ReadonlyArray<StoredConflict>, StateStoreError>
  /** Journals a write to one side as `sent`, BEFORE the request leaves: a crash leaves evidence it may have landed. */
  readonly markSideSent: (
    entry: { readonly job: string; readonly sourceKey: string; readonly side: Side; readonly body: unknown; readonly runId: string }
  ) => Effect.Effect<void, StateStoreError>
  /**
   * The side answered: `sent -> confirmed`, keeping `made`, the id of what a create made, so a cycle
   * that dies before linking it leaves the next one that case to link; fails with `InvalidTransition`
   * if nothing was sent.
   */
  readonly markSideConfirmed: (
    job: string,
    sourceKey: string,
    side: Side,
    runId: string,
    made?: string
  ) => Effect.Effect<void, StateStoreError>
  /**
   * Records a person's word on a write still `sent` (no answer ever came): `made` keeps the id of
   * what it made beside it, for the next cycle to link; `notMade` forgets the write, so the next
   * cycle may send it again. Fails with `NotFound` when that write is not waiting for an answer.
   */
  readonly resolveSentWrite: (
    job: string,
    sourceKey: string,
    side: Side,
    resolution: SentWriteResolution
  ) => Effect.Effect<void, StateStoreError>
  /** The job's journalled side writes, optionally in one state, and only those whose key starts with `keyPrefix`. */
  readonly listSideWrites: (
    job: string,
    writeState?: "sent" | "confirmed",
    keyPrefix?: string
  ) => Effect.Effect<ReadonlyArray<SideWriteEntry>, StateStoreError>
}

/** The id `conflicts resolve` takes: stable for a record's field, so a re-opened conflict keeps it. */
export const conflictId = (job: string, sourceKey: string, field: string): string =>
  `c${createHash("sha256").update(`${job}\u0000${sourceKey}\u0000${field}`).digest("hex").slice(0, 8)}`

// == rows: values are JSON text, so null, "" and absent stay apart; an absent Option is SQL NULL

const Json = Schema.parseJson(Schema.Unknown)

const FieldRow = Schema.Struct({
  sourceKey: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("source_key")),
  field: Schema.String,
  base: Schema.NullOr(Json),
  history: Json
})
const decodeFields = decodeRows(FieldRow, "sync_fields")

const ConflictRow = Schema.Struct({
  id: Schema.String,
  job: Schema.String,
  sourceKey: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("source_key")),
  field: Schema.String,
  reason: Schema.Literal("bothChanged", "drift", "war", "noBase", "cannotClear"),
  detail: Schema.String,
  crm: Json,
  target: Json,
  base: Schema.NullOr(Json),
  since: Schema.Number,
  resolution: Schema.NullOr(Json),
  openedAt: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("opened_at"))
})
const decodeConflicts = decodeRows(ConflictRow, "sync_conflicts")

const SideWriteRow = Schema.Struct({
  job: Schema.String,
  sourceKey: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("source_key")),
  side: Schema.Literal("crm", "target"),
  writeState: Schema.propertySignature(Schema.Literal("sent", "confirmed")).pipe(Schema.fromKey("write_state")),
  body: Json,
  runId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("run_id")),
  updatedAt: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("updated_at")),
  resolvedAs: Schema.propertySignature(Schema.NullOr(Schema.String)).pipe(Schema.fromKey("resolved_as"))
})
const decodeSideWrites = decodeRows(SideWriteRow, "sync_writes")

const toStored = (row: typeof ConflictRow.Type): StoredConflict => ({
  id: row.id,
  job: row.job,
  sourceKey: row.sourceKey,
  field: row.field,
  openedAt: row.openedAt,
  conflict: {
    field: row.field,
    reason: row.reason,
    detail: row.detail,
    crm: row.crm,
    target: row.target,
    base: Option.fromNullable(row.base as SideValues | null),
    since: row.since,
    resolution: Option.fromNullable(row.resolution as Take | null)
  }
})

const optionJson = <A>(value: Option.Option<A>): string | null =>
  Option.match(value, { onNone: () => null, onSome: (v) => JSON.stringify(v) })

/** Keys per SELECT ... IN (...). */
const lookupBatchSize = 500

/** Builds the sync state operations on the ambient SqlClient (tables created by the state-store migrations). */
export const makeSyncStates: Effect.Effect<SyncStates, never, SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient

  const conflictRows = (job: string, where: "all" | ReadonlyArray<string>) =>
    (where === "all"
      ? sql`SELECT * FROM sync_conflicts WHERE job = ${job} ORDER BY source_key, field`
      : sql`SELECT * FROM sync_conflicts WHERE job = ${job} AND ${sql.in("source_key", where)} ORDER BY source_key, field`)
      .pipe(orStateError(`reading the conflict queue of ${job}`), Effect.flatMap(decodeConflicts))

  const getFieldStates = Effect.fn("StateStore.getFieldStates")(function*(job: string, sourceKeys: ReadonlyArray<string>) {
    const result = new Map<string, Record<string, FieldSyncState>>()
    const entry = (key: string) => {
      let states = result.get(key)
      if (states === undefined) result.set(key, states = {})
      return states
    }
    for (const chunk of chunksOf([...new Set(sourceKeys)], lookupBatchSize)) {
      const fields = yield* sql`SELECT source_key, field, base, history FROM sync_fields WHERE job = ${job} AND ${
        sql.in("source_key", chunk)
      }`.pipe(orStateError(`reading the sync state of ${chunk.length} records of ${job}`), Effect.flatMap(decodeFields))
      for (const row of fields) {
        entry(row.sourceKey)[row.field] = {
          base: Option.fromNullable(row.base as SideValues | null),
          history: row.history as ReadonlyArray<WriteRecord>,
          conflict: Option.none()
        }
      }
      for (const row of yield* conflictRows(job, chunk)) {
        const states = entry(row.sourceKey)
        const known = states[row.field] ?? { base: Option.none(), history: [], conflict: Option.none() }
        states[row.field] = { ...known, conflict: Option.some(toStored(row).conflict) }
      }
    }
    return result as ReadonlyMap<string, Readonly<Record<string, FieldSyncState>>>
  })

  const putFieldStates = Effect.fn("StateStore.putFieldStates")(
    function*(job: string, sourceKey: string, states: Readonly<Record<string, FieldSyncState>>) {
      const updatedAt = yield* nowIso
      const entries = Object.entries(states)
      if (entries.length === 0) return
      yield* sql.withTransaction(Effect.forEach(entries, ([field, state]) =>
        Effect.gen(function*() {
          yield* sql`INSERT INTO sync_fields ${
            sql.insert({
              job,
              source_key: sourceKey,
              field,
              base: optionJson(state.base),
              history: JSON.stringify(state.history),
              updated_at: updatedAt
            })
          } ON CONFLICT (job, source_key, field) DO UPDATE SET
            base = excluded.base, history = excluded.history, updated_at = excluded.updated_at`
          if (Option.isNone(state.conflict)) {
            yield* sql`DELETE FROM sync_conflicts WHERE job = ${job} AND source_key = ${sourceKey} AND field = ${field}`
            return
          }
          const c = state.conflict.value
          // opened_at is kept from the first insert: a conflict updated or re-opened stays the same queue entry.
          yield* sql`INSERT INTO sync_conflicts ${
            sql.insert({
              job,
              id: conflictId(job, sourceKey, field),
              source_key: sourceKey,
              field,
              reason: c.reason,
              detail: c.detail,
              crm: JSON.stringify(c.crm ?? null),
              target: JSON.stringify(c.target ?? null),
              base: optionJson(c.base),
              since: c.since,
              resolution: optionJson(c.resolution),
              opened_at: updatedAt,
              updated_at: updatedAt
            })
          } ON CONFLICT (job, id) DO UPDATE SET
            reason = excluded.reason, detail = excluded.detail, crm = excluded.crm, target = excluded.target,
            base = excluded.base, since = excluded.since, resolution = excluded.resolution, updated_at = excluded.updated_at`
        }), { discard: true })).pipe(orStateError(`storing the sync state of ${job}/${sourceKey}`))
    }
  )

  const listConflicts = Effect.fn("StateStore.listConflicts")(function*(job: string) {
    return (yield* conflictRows(job, "all")).map(toStored)
  })

  const resolveConflicts = Effect.fn("StateStore.resolveConflicts")(
    function*(job: string, ids: "all" | ReadonlyArray<string>, take: Take) {
      const all = (yield* conflictRows(job, "all")).map(toStored)
      const chosen = ids === "all" ? all : all.filter((c) => ids.includes(c.id))
      const unknown = ids === "all" ? [] : ids.filter((id) => !all.some((c) => c.id === id))
      if (unknown.length > 0) {
        return yield* new StateStoreError({
          reason: "NotFound",
          detail: `no queued conflict ${unknown.join(", ")} in job ${job} (\`casesync conflicts\` lists them)`
        })
      }
      const updatedAt = yield* nowIso
      const resolved = chosen.map((c) => ({ ...c, conflict: resolveConflict(c.conflict, take) }))
      yield* sql.withTransaction(Effect.forEach(resolved, (c) =>
        sql`UPDATE sync_conflicts SET resolution = ${optionJson(c.conflict.resolution)}, updated_at = ${updatedAt}
          WHERE job = ${job} AND id = ${c.id}`, { discard: true })).pipe(
        orStateError(`resolving ${resolved.length} conflicts of ${job}`)
      )
      return resolved
    }
  )

  const markSideSent = Effect.fn("StateStore.markSideSent")(function*(
    entry: { readonly job: string; readonly sourceKey: string; readonly side: Side; readonly body: unknown; readonly runId: string }
  ) {
    const updatedAt = yield* nowIso
    yield* sql`INSERT INTO sync_writes ${
      sql.insert({
        job: entry.job,
        source_key: entry.sourceKey,
        side: entry.side,
        write_state: "sent",
        body: JSON.stringify(entry.body ?? null),
        run_id: entry.runId,
        updated_at: updatedAt
      })
    } ON CONFLICT (job, source_key, side) DO UPDATE SET
      write_state = 'sent', body = excluded.body, run_id = excluded.run_id, updated_at = excluded.updated_at, resolved_as = NULL`.pipe(
      orStateError(`journalling the ${entry.side} write of ${entry.job}/${entry.sourceKey} as sent`)
    )
  })

  const markSideConfirmed = Effect.fn("StateStore.markSideConfirmed")(
    function*(job: string, sourceKey: string, side: Side, runId: string, made?: string) {
      const updatedAt = yield* nowIso
      const rows = yield* sql`UPDATE sync_writes SET write_state = 'confirmed', run_id = ${runId}, updated_at = ${updatedAt},
        resolved_as = COALESCE(${made ?? null}, resolved_as)
        WHERE job = ${job} AND source_key = ${sourceKey} AND side = ${side} RETURNING source_key`.pipe(
        orStateError(`confirming the ${side} write of ${job}/${sourceKey}`)
      )
      if (rows.length === 0) {
        return yield* new StateStoreError({
          reason: "InvalidTransition",
          detail: `the ${side} write of ${job}/${sourceKey} was confirmed but never journalled as sent`
        })
      }
    }
  )

  const resolveSentWrite = Effect.fn("StateStore.resolveSentWrite")(
    function*(job: string, sourceKey: string, side: Side, resolution: SentWriteResolution) {
      const updatedAt = yield* nowIso
      const rows = yield* (resolution._tag === "made"
        ? sql`UPDATE sync_writes SET resolved_as = ${resolution.id}, updated_at = ${updatedAt}
            WHERE job = ${job} AND source_key = ${sourceKey} AND side = ${side} AND write_state = 'sent' RETURNING source_key`
        : sql`DELETE FROM sync_writes
            WHERE job = ${job} AND source_key = ${sourceKey} AND side = ${side} AND write_state = 'sent' RETURNING source_key`)
        .pipe(orStateError(`resolving the ${side} write of ${job}/${sourceKey}`))
      if (rows.length === 0) {
        return yield* new StateStoreError({
          reason: "NotFound",
          detail: `no ${side} write of ${job}/${sourceKey} is waiting for an answer`
        })
      }
    }
  )

  const listSideWrites = Effect.fn("StateStore.listSideWrites")(function*(job: string, writeState?: "sent" | "confirmed", keyPrefix?: string) {
    const where = sql.and([
      sql`job = ${job}`,
      ...(writeState === undefined ? [] : [sql`write_state = ${writeState}`]),
      // A prefix of the key, compared as text (no LIKE: a key may hold % or _).
      ...(keyPrefix === undefined ? [] : [sql`substr(source_key, 1, ${keyPrefix.length}) = ${keyPrefix}`])
    ])
    const rows = yield* sql`SELECT * FROM sync_writes WHERE ${where} ORDER BY source_key, side`
      .pipe(orStateError(`reading the sync write journal of ${job}`), Effect.flatMap(decodeSideWrites))
    return rows.map((row): SideWriteEntry => ({ ...row, body: row.body }))
  })

  return { getFieldStates, putFieldStates, listConflicts, resolveConflicts, markSideSent, markSideConfirmed, resolveSentWrite, listSideWrites }
})
