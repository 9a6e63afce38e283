import { SqlClient } from "@effect/sql/SqlClient"
import { Chunk, Effect, Option, Schema, Stream } from "effect"
import { chunksOf, decodeRows, inOneTransaction, nowIso, orStateError } from "./StateSql.js"
import {
  type Confirmation,
  LedgerEntry,
  type LedgerItem,
  PlanAction,
  type PlannedEntry,
  Snapshot,
  type StateCounts,
  WriteState
} from "./LedgerEntry.js"
import { StateStoreError } from "./StateStoreError.js"

/** The ledger operations of the state store. */
export interface Ledger {
  /**
   * Upserts a batch of plan results in one transaction. A row becomes `planned`, except: a `sent` row
   * stays `sent` (the earlier write may have landed and must be reconciled first), and a `confirmed`
   * row planned as `unchanged` stays `confirmed`. `snapshot`, `targetUpdatedAt` and a known
   * `caseId`/`borrowerId` are never cleared, so a re-plan cannot regress the merge base.
   * The row's owner becomes the entry's `location`; of several entries for one key in a batch, the first wins.
   * Fails with `Duplicate` if an externalId is already used by another sourceKey of the job.
   */
  readonly recordPlanned: (entries: ReadonlyArray<PlannedEntry>) => Effect.Effect<void, StateStoreError>
  /**
   * `planned|sent -> sent`: call BEFORE sending the write, so a crash leaves evidence the write may have landed.
   * Like every transition, it changes the row only for the item that owns it, else fails with `NotOwner`.
   */
  readonly markSent: (item: LedgerItem, runId: string) => Effect.Effect<LedgerEntry, StateStoreError>
  /** `planned|sent|confirmed -> confirmed`: the target acknowledged; records its case id, synced values and updatedAt. */
  readonly markConfirmed: (item: LedgerItem, confirmation: Confirmation) => Effect.Effect<LedgerEntry, StateStoreError>
  /**
   * `markSent` and `markConfirmed` of a group in one transaction (one durable commit): the `sent` rows
   * of writes about to start and the `confirmed` rows of writes just answered, as apply groups them.
   * All or none: if one transition fails, no row of the group moves.
   */
  readonly markAll: (
    group: {
      readonly sent: ReadonlyArray<LedgerItem>
      readonly confirmed: ReadonlyArray<{ readonly item: LedgerItem; readonly confirmation: Confirmation }>
    },
    runId: string
  ) => Effect.Effect<void, StateStoreError>
  /** `planned|sent -> rejected`: the target refused the write; keeps the last confirmed snapshot. */
  readonly markRejected: (
    item: LedgerItem,
    rejection: { readonly reason: string; readonly runId: string }
  ) => Effect.Effect<LedgerEntry, StateStoreError>
  /** The rows for these source keys (missing keys are absent from the map). */
  readonly getEntries: (
    job: string,
    sourceKeys: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, LedgerEntry>, StateStoreError>
  /** The rows carrying these externalIds in the job, by externalId (missing ones are absent from the map). */
  readonly getEntriesByExternalId: (
    job: string,
    externalIds: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, LedgerEntry>, StateStoreError>
  /** The row carrying this externalId in the job, if any. */
  readonly getByExternalId: (job: string, externalId: string) => Effect.Effect<Option.Option<LedgerEntry>, StateStoreError>
  /** All rows of a job (optionally in one write state) ordered by sourceKey, read page by page so memory stays bounded. */
  readonly listEntries: (
    job: string,
    options?: { readonly writeState?: WriteState | undefined; readonly pageSize?: number | undefined }
  ) => Stream.Stream<LedgerEntry, StateStoreError>
  /** How many rows of the job are in each write state (every state present, zero if none). */
  readonly countByState: (job: string) => Effect.Effect<StateCounts, StateStoreError>
}

// == rows

const LedgerRow = Schema.Struct({
  job: Schema.String,
  sourceKey: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("source_key")),
  externalId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("external_id")),
  location: Schema.NullOr(Schema.String),
  borrowerId: Schema.propertySignature(Schema.NullOr(Schema.String)).pipe(Schema.fromKey("borrower_id")),
  caseId: Schema.propertySignature(Schema.NullOr(Schema.String)).pipe(Schema.fromKey("case_id")),
  writeState: Schema.propertySignature(WriteState).pipe(Schema.fromKey("write_state")),
  action: Schema.NullOr(PlanAction),
  snapshot: Schema.NullOr(Schema.parseJson(Snapshot)),
  targetUpdatedAt: Schema.propertySignature(Schema.NullOr(Schema.String)).pipe(Schema.fromKey("target_updated_at")),
  rejectReason: Schema.propertySignature(Schema.NullOr(Schema.String)).pipe(Schema.fromKey("reject_reason")),
  runId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("run_id")),
  updatedAt: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("updated_at"))
})

const decodeEntries = decodeRows(LedgerRow, "ledger")

const CountRow = Schema.Struct({
  writeState: Schema.propertySignature(WriteState).pipe(Schema.fromKey("write_state")),
  n: Schema.Number
})
const decodeCounts = decodeRows(CountRow, "ledger counts")

/** Rows per INSERT statement: 11 parameters each keeps a statement far below both databases' limits. */
const insertBatchSize = 500
/** Keys per SELECT ... IN (...). */
const lookupBatchSize = 500

/** Builds the ledger on the ambient SqlClient (tables created by the state-store migrations). */
export const makeLedger: Effect.Effect<Ledger, never, SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient

  const recordPlanned = Effect.fn("StateStore.recordPlanned")(function*(entries: ReadonlyArray<PlannedEntry>) {
    if (entries.length === 0) return
    const updatedAt = yield* nowIso
    // One statement cannot touch the same row twice (Postgres refuses), so the first entry per key wins,
    // as the first occurrence of a key wins in the planner.
    const first = new Map<string, PlannedEntry>()
    for (const entry of entries) {
      const key = JSON.stringify([entry.job, entry.sourceKey])
      if (!first.has(key)) first.set(key, entry)
    }
    const rows = Array.from(first.values(), (e) => ({
      job: e.job,
      source_key: e.sourceKey,
      external_id: e.externalId,
      location: e.location,
      borrower_id: e.borrowerId ?? null,
      case_id: e.caseId ?? null,
      write_state: "planned",
      action: e.action,
      reject_reason: e.rejectReason ?? null,
      run_id: e.runId,
      updated_at: updatedAt
    }))
    yield* sql.withTransaction(Effect.forEach(chunksOf(rows, insertBatchSize), (chunk) =>
      sql`INSERT INTO ledger ${sql.insert(chunk)}
        ON CONFLICT (job, source_key) DO UPDATE SET
          external_id = excluded.external_id,
          location = excluded.location,
          borrower_id = COALESCE(excluded.borrower_id, ledger.borrower_id),
          case_id = COALESCE(excluded.case_id, ledger.case_id),
          write_state = CASE
            WHEN ledger.write_state = 'sent' THEN 'sent'
            WHEN ledger.write_state = 'confirmed' AND excluded.action = 'unchanged' THEN 'confirmed'
            ELSE 'planned' END,
          action = excluded.action,
          reject_reason = excluded.reject_reason,
          run_id = excluded.run_id,
          updated_at = excluded.updated_at`, { discard: true })).pipe(
      orStateError(`recording ${rows.length} planned ledger entries`)
    )
  })

  /**
   * Applies a guarded state change; on no match tells "no such row", "owned by another record" and
   * "wrong state" apart. A row without an owner (written before locations were kept) is anyone's.
   */
  const transition = (
    item: LedgerItem,
    verb: string,
    from: ReadonlyArray<WriteState>,
    update: Effect.Effect<ReadonlyArray<unknown>, StateStoreError>
  ) =>
    Effect.gen(function*() {
      const { job, sourceKey } = item
      const updated = yield* Effect.flatMap(update, decodeEntries)
      if (updated.length > 0) return updated[0]
      const current = yield* getEntry(job, sourceKey)
      return yield* Option.match(current, {
        onNone: () =>
          new StateStoreError({ reason: "NotFound", detail: `${verb}: no ledger row for ${job}/${sourceKey}` }),
        onSome: (entry) =>
          entry.location !== null && entry.location !== item.location
            ? new StateStoreError({
              reason: "NotOwner",
              detail: `${verb}: ledger row ${job}/${sourceKey} belongs to the record at ${entry.location}, not to the one at ${item.location}`
            })
            : new StateStoreError({
              reason: "InvalidTransition",
              detail: `${verb}: ledger row ${job}/${sourceKey} is ${entry.writeState}, expected ${from.join(" or ")}`
            })
      })
    })

  /** The WHERE clause every transition shares: this item's row, in one of the `from` states. */
  const ownRow = (item: LedgerItem, from: ReadonlyArray<WriteState>) =>
    sql.and([
      sql`job = ${item.job}`,
      sql`source_key = ${item.sourceKey}`,
      sql`(location IS NULL OR location = ${item.location})`,
      sql.in("write_state", from)
    ])

  const getEntry = (job: string, sourceKey: string) =>
    sql`SELECT * FROM ledger WHERE job = ${job} AND source_key = ${sourceKey}`.pipe(
      orStateError(`reading ledger row ${job}/${sourceKey}`),
      Effect.flatMap(decodeEntries),
      Effect.map((rows) => Option.fromNullable(rows[0]))
    )

  // The transitions untraced, as markAll makes them (a span per row costs about as much as its statement).
  const sentRow = Effect.fnUntraced(function*(item: LedgerItem, runId: string) {
    const updatedAt = yield* nowIso
    const from: ReadonlyArray<WriteState> = ["planned", "sent"]
    return yield* transition(
      item,
      "markSent",
      from,
      sql`UPDATE ledger SET write_state = 'sent', run_id = ${runId}, updated_at = ${updatedAt}
        WHERE ${ownRow(item, from)}
        RETURNING *`.pipe(orStateError(`marking ${item.job}/${item.sourceKey} sent`))
    )
  })

  const confirmedRow = Effect.fnUntraced(
    function*(item: LedgerItem, confirmation: Confirmation) {
      const updatedAt = yield* nowIso
      const from: ReadonlyArray<WriteState> = ["planned", "sent", "confirmed"]
      return yield* transition(
        item,
        "markConfirmed",
        from,
        sql`UPDATE ledger SET write_state = 'confirmed', case_id = ${confirmation.caseId},
          snapshot = ${JSON.stringify(confirmation.snapshot)}, target_updated_at = ${confirmation.targetUpdatedAt},
          reject_reason = NULL, run_id = ${confirmation.runId}, updated_at = ${updatedAt}
          WHERE ${ownRow(item, from)}
          RETURNING *`.pipe(orStateError(`marking ${item.job}/${item.sourceKey} confirmed`))
      )
    }
  )

  const markSent = Effect.fn("StateStore.markSent")((item: LedgerItem, runId: string) => sentRow(item, runId))
  const markConfirmed = Effect.fn("StateStore.markConfirmed")((item: LedgerItem, confirmation: Confirmation) =>
    confirmedRow(item, confirmation)
  )

  const markRejected = Effect.fn("StateStore.markRejected")(
    function*(item: LedgerItem, rejection: { readonly reason: string; readonly runId: string }) {
      const updatedAt = yield* nowIso
      const from: ReadonlyArray<WriteState> = ["planned", "sent"]
      return yield* transition(
        item,
        "markRejected",
        from,
        sql`UPDATE ledger SET write_state = 'rejected', reject_reason = ${rejection.reason},
          run_id = ${rejection.runId}, updated_at = ${updatedAt}
          WHERE ${ownRow(item, from)}
          RETURNING *`.pipe(orStateError(`marking ${item.job}/${item.sourceKey} rejected`))
      )
    }
  )

  // One transaction per group: the rows are as durable as with one call each, for one commit.
  const markAll = Effect.fn("StateStore.markAll")(
    function*(
      group: {
        readonly sent: ReadonlyArray<LedgerItem>
        readonly confirmed: ReadonlyArray<{ readonly item: LedgerItem; readonly confirmation: Confirmation }>
      },
      runId: string
    ) {
      const size = group.sent.length + group.confirmed.length
      if (size === 0) return
      const rows = Effect.zipRight(
        Effect.forEach(group.sent, (item) => sentRow(item, runId), { discard: true }),
        Effect.forEach(group.confirmed, ({ confirmation, item }) => confirmedRow(item, confirmation), { discard: true })
      )
      // One row is one statement, atomic and durable by itself: BEGIN and COMMIT would add two more
      // (at R = 100 most groups hold one row, and each statement costs about as much as the UPDATE).
      yield* size === 1 ? rows : inOneTransaction(sql, `marking ${size} ledger rows sent or confirmed`)(rows)
    }
  )

  const getEntries = Effect.fn("StateStore.getEntries")(function*(job: string, sourceKeys: ReadonlyArray<string>) {
    const found = new Map<string, LedgerEntry>()
    for (const keys of chunksOf(Array.from(new Set(sourceKeys)), lookupBatchSize)) {
      const rows = yield* sql`SELECT * FROM ledger WHERE job = ${job} AND ${sql.in("source_key", keys)}`.pipe(
        orStateError(`reading ${keys.length} ledger rows of ${job}`),
        Effect.flatMap(decodeEntries)
      )
      for (const entry of rows) found.set(entry.sourceKey, entry)
    }
    return found as ReadonlyMap<string, LedgerEntry>
  })

  const getEntriesByExternalId = Effect.fn("StateStore.getEntriesByExternalId")(
    function*(job: string, externalIds: ReadonlyArray<string>) {
      const found = new Map<string, LedgerEntry>()
      for (const ids of chunksOf(Array.from(new Set(externalIds)), lookupBatchSize)) {
        const rows = yield* sql`SELECT * FROM ledger WHERE job = ${job} AND ${sql.in("external_id", ids)}`.pipe(
          orStateError(`reading ${ids.length} ledger rows of ${job} by externalId`),
          Effect.flatMap(decodeEntries)
        )
        for (const entry of rows) found.set(entry.externalId, entry)
      }
      return found as ReadonlyMap<string, LedgerEntry>
    }
  )

  const getByExternalId = Effect.fn("StateStore.getByExternalId")(function*(job: string, externalId: string) {
    const rows = yield* sql`SELECT * FROM ledger WHERE job = ${job} AND external_id = ${externalId}`.pipe(
      orStateError(`reading ledger row of ${job} with externalId ${externalId}`),
      Effect.flatMap(decodeEntries)
    )
    return Option.fromNullable(rows[0])
  })

  const listEntries = (
    job: string,
    options?: { readonly writeState?: WriteState | undefined; readonly pageSize?: number | undefined }
  ): Stream.Stream<LedgerEntry, StateStoreError> => {
    const pageSize = Math.max(1, Math.floor(options?.pageSize ?? 1000))
    const inState = options?.writeState === undefined ? [] : [sql`write_state = ${options.writeState}`]
    // Keyset paging on the primary key: each page is an index range scan, whatever the table size.
    const page = (after: Option.Option<string>) =>
      sql`SELECT * FROM ledger WHERE ${
        sql.and([
          sql`job = ${job}`,
          ...inState,
          ...Option.match(after, { onNone: () => [], onSome: (key) => [sql`source_key > ${key}`] })
        ])
      } ORDER BY source_key LIMIT ${pageSize}`.pipe(
        orStateError(`listing ledger rows of ${job}`),
        Effect.flatMap(decodeEntries),
        Effect.map((rows) =>
          [
            Chunk.unsafeFromArray(rows),
            rows.length < pageSize ? Option.none() : Option.some(Option.some(rows[rows.length - 1].sourceKey))
          ] as const
        )
      )
    return Stream.paginateChunkEffect(Option.none<string>(), page).pipe(Stream.withSpan("StateStore.listEntries"))
  }

  const countByState = Effect.fn("StateStore.countByState")(function*(job: string) {
    const rows = yield* sql`SELECT write_state, CAST(COUNT(*) AS INTEGER) AS n FROM ledger WHERE job = ${job}
      GROUP BY write_state`.pipe(orStateError(`counting ledger rows of ${job}`), Effect.flatMap(decodeCounts))
    const counts: Record<WriteState, number> = { planned: 0, sent: 0, confirmed: 0, rejected: 0 }
    for (const row of rows) counts[row.writeState] = row.n
    return counts as StateCounts
  })

  return {
    recordPlanned,
    markSent,
    markConfirmed,
    markAll,
    markRejected,
    getEntries,
    getEntriesByExternalId,
    getByExternalId,
    listEntries,
    countByState
  }
})
