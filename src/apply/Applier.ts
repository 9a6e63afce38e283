import { Chunk, Effect, Either, Fiber, Option, ParseResult, Ref, Schema, Stream } from "effect"
import { type Case, CaseCreate, CaseUpdate } from "../domain/peach/Case.js"
import { type HttpRequestError, isOutcomeUnknown } from "../http/HttpRequestError.js"
import { holdsValues, ownedValuesOf } from "../plan/FieldValues.js"
import { emptyCounts, type OwnedValues, type PlanItem, type PlannedCreate, type PlannedUpdate } from "../plan/Plan.js"
import type { TargetCase } from "../plan/Decide.js"
import { formatLocation, type SourceLocation } from "../sources/SourceRecord.js"
import { advanceProgress } from "../progress/Progress.js"
import type { Confirmation, LedgerEntry, LedgerItem, PlannedEntry } from "../state/LedgerEntry.js"
import { StateStore } from "../state/StateStore.js"
import type { StateStoreError } from "../state/StateStoreError.js"
import { type ApplyCounts, ApplyFailed, countOutcome, type ItemResult } from "./ApplyOutcome.js"
import type { CsvOutput, OutputFileError } from "./CsvOutput.js"
import { confirmationToRestore, earlierCreate, earlierUpdate } from "./EarlierWrites.js"
import { makeGroupCommit } from "./GroupCommit.js"
import { claimRows, type Refusal } from "./ItemClaims.js"
import type { TargetLookup } from "./TargetLookup.js"

/** The writes apply needs from the target (the Peach client provides them). */
export interface CaseWriter {
  readonly createCase: (personId: string, body: CaseCreate) => Effect.Effect<Case, HttpRequestError>
  readonly updateCase: (personId: string, caseId: string, body: CaseUpdate) => Effect.Effect<Case, HttpRequestError>
  readonly findCaseByExternalId: (personId: string, externalId: string) => Effect.Effect<Option.Option<Case>, HttpRequestError>
}

/** Items whose ledger rows are read and recorded together; their writes still flow one by one through the window. */
const ledgerBatchSize = 200

/** Columns of the results file. */
export const resultColumns = ["source_key", "external_id", "location", "borrower", "case_id", "action", "outcome", "detail"] as const
/** Columns of the rejects file; `--only-rejects` reads `location` and `source_key` back. */
export const rejectColumns = ["location", "source_key", "external_id", "field", "reason", "raw"] as const

/** Everything one apply works with. */
export interface ApplyInputs<E, R> {
  readonly job: string
  readonly runId: string
  readonly planId: string
  readonly items: Stream.Stream<PlanItem, E, R>
  /** What the target holds for the items' externalIds: what staleness is judged against. */
  readonly targets: TargetLookup
  readonly writer: CaseWriter
  readonly results: CsvOutput<Record<(typeof resultColumns)[number], unknown>>
  readonly rejects: CsvOutput<Record<(typeof rejectColumns)[number], unknown>>
  /** Writes in flight at once (the client's own limits still apply). */
  readonly concurrency: number
  /** Creates sent for one record at most, when each attempt's outcome was unknown and the case was not there after. */
  readonly maxCreateAttempts?: number | undefined
  /** Fails once this run may no longer write (its lease was lost); checked before each batch and each item of it. */
  readonly stillHeld?: Effect.Effect<void, ApplyFailed | StateStoreError> | undefined
}

type Resolution = Omit<ItemResult, "sourceKey" | "externalId" | "location" | "action"> & {
  readonly field?: string
  readonly raw?: unknown
}

// An item started is let finish when the run is interrupted (Ctrl-C, SIGTERM), so the ledger says
// what became of its write. It runs in a daemon fiber (a child fiber would be interrupted with
// its parent), interruptible, so its own timeouts still work; the wait for it is not.
const letFinish = <A, E, R>(item: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.uninterruptible(Effect.flatMap(Effect.forkDaemon(Effect.interruptible(item)), Fiber.join))

const decodeError = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")

// A case found through ext-<externalId> is ours when it holds what this item wrote.
const holds = (kase: Case, values: OwnedValues): boolean => holdsValues(ownedValuesOf(kase, Object.keys(values)), values)

/**
 * Applies a reviewed plan, item by item, exactly once:
 * - the ledger row goes `sent` BEFORE a write and `confirmed` after, so a crash at any
 *   instant leaves evidence a write may have landed;
 * - a create that fails ambiguously (dropped connection, timeout, 5xx) or hits 409 is
 *   checked through `ext-<externalId>` before it is ever sent again;
 * - an update (or create) whose target moved since the plan is refused as a conflict,
 *   unless the move is our own earlier write of this very item (a resumed apply).
 * Returns the counts of the accounting line.
 */
export const applyPlan = <E, R>(
  inputs: ApplyInputs<E, R>
): Effect.Effect<ApplyCounts, E | ApplyFailed | StateStoreError | OutputFileError, R | StateStore> =>
  Effect.gen(function*() {
    const store = yield* StateStore
    const counts = yield* Ref.make(emptyCounts)
    const maxCreates = inputs.maxCreateAttempts ?? 3
    const { job, runId } = inputs
    const stillHeld = inputs.stillHeld ?? Effect.void

    const failed = (what: string, error: HttpRequestError) =>
      new ApplyFailed({
        reason: `${what}: ${error.message}`,
        resume: "fix the cause, then run the same command again: confirmed writes are not repeated and unconfirmed ones are checked first",
        cause: error
      })

    // Every transition names the item's own row by its key and source location, so a duplicate never moves it.
    const own = (item: { readonly sourceKey: string; readonly location: SourceLocation }): LedgerItem => ({
      job,
      sourceKey: item.sourceKey,
      location: formatLocation(item.location)
    })

    // The ledger rows of writes that start and of writes that end meanwhile share one transaction
    // (one commit, where a steady stream would make two per write); each item still waits until
    // its own row is durable, so no request leaves before its `sent` row is committed.
    type Transition =
      | { readonly _tag: "sent"; readonly item: LedgerItem }
      | { readonly _tag: "confirmed"; readonly item: LedgerItem; readonly confirmation: Confirmation }
    const rows = yield* makeGroupCommit((group: ReadonlyArray<Transition>) =>
      store.markAll({
        sent: group.flatMap((t) => (t._tag === "sent" ? [t.item] : [])),
        confirmed: group.flatMap((t) => (t._tag === "confirmed" ? [t] : []))
      }, runId)
    )
    const markSent = (item: LedgerItem) => rows.submit({ _tag: "sent", item })
    const markConfirmed = (item: LedgerItem, confirmation: Confirmation) => rows.submit({ _tag: "confirmed", item, confirmation })

    const confirm = (item: { readonly sourceKey: string; readonly location: SourceLocation }, kase: Case, values: OwnedValues) =>
      markConfirmed(own(item), {
        caseId: kase.id,
        snapshot: ownedValuesOf(kase, Object.keys(values)),
        targetUpdatedAt: kase.updatedAt ?? null,
        runId
      })

    const rejectedBy = (error: HttpRequestError): Option.Option<{ field: string; detail: string }> => {
      if (error._tag === "Invalid") {
        const first = error.fieldErrors[0]
        return Option.some({ field: first?.field ?? "(body)", detail: `the target refused it: ${error.message}` })
      }
      if (error._tag === "NotFound") {
        return Option.some({ field: "borrower", detail: `the target says the borrower does not exist: ${error.message}` })
      }
      return Option.none()
    }

    const findOurs = (item: PlannedCreate) =>
      inputs.writer.findCaseByExternalId(item.personId, item.externalId).pipe(
        Effect.mapError((error) => failed(`checking ext-${item.externalId} after an uncertain create`, error))
      )

    const create = (item: PlannedCreate, body: CaseCreate, attempt: number): Effect.Effect<Resolution, ApplyFailed | StateStoreError> =>
      inputs.writer.createCase(item.personId, body).pipe(Effect.matchEffect({
        onSuccess: (kase) =>
          confirm(item, kase, item.values).pipe(
            Effect.as<Resolution>({ borrower: item.personId, caseId: kase.id, outcome: "created", detail: attempt > 1 ? `created on attempt ${attempt}` : "" })
          ),
        onFailure: (error): Effect.Effect<Resolution, ApplyFailed | StateStoreError> => {
          const refused = rejectedBy(error)
          if (Option.isSome(refused)) {
            return store.markRejected(own(item), { reason: refused.value.detail, runId }).pipe(
              Effect.as<Resolution>({ borrower: item.personId, caseId: null, outcome: "rejected", field: refused.value.field, detail: refused.value.detail, raw: item.body })
            )
          }
          if (error._tag !== "Conflict" && !isOutcomeUnknown(error)) {
            return Effect.fail(failed(`creating ${item.externalId}`, error))
          }
          return findOurs(item).pipe(Effect.flatMap(Option.match({
            onSome: (kase): Effect.Effect<Resolution, ApplyFailed | StateStoreError> =>
              holds(kase, item.values)
                ? confirm(item, kase, item.values).pipe(Effect.as<Resolution>({
                  borrower: item.personId,
                  caseId: kase.id,
                  outcome: "created",
                  detail: `recovered: the create had landed (${error._tag}), found through ext-${item.externalId}`
                }))
                : Effect.succeed<Resolution>({
                  borrower: item.personId,
                  caseId: kase.id,
                  outcome: "conflict",
                  detail: `a different case with externalId ${item.externalId} exists in the target`
                }),
            onNone: (): Effect.Effect<Resolution, ApplyFailed | StateStoreError> =>
              // A 409 is about this one item (its externalId is taken elsewhere): never a reason to stop the run.
              error._tag === "Conflict"
                ? Effect.succeed<Resolution>({
                  borrower: item.personId,
                  caseId: null,
                  outcome: "conflict",
                  detail: `the target already holds externalId ${item.externalId}, but not under borrower ${item.personId}`
                })
                : attempt < maxCreates
                ? create(item, body, attempt + 1)
                : Effect.fail(failed(`creating ${item.externalId} (${attempt} attempts, not found after)`, error))
          })))
        }
      }))

    const applyCreate = (item: PlannedCreate, entry: LedgerEntry | undefined, current: TargetCase | undefined, prior: LedgerEntry | undefined): Effect.Effect<Resolution, ApplyFailed | StateStoreError> => {
      if (current !== undefined) {
        const earlier = earlierCreate(item, current, prior, entry)
        if (earlier !== undefined) {
          return markConfirmed(own(item), { caseId: current.caseId, snapshot: current.values, targetUpdatedAt: current.updatedAt, runId }).pipe(
            Effect.as<Resolution>({
              borrower: item.personId,
              caseId: current.caseId,
              outcome: "created",
              detail: earlier === "done" ? "already done: created by an earlier apply" : "recovered: created by an earlier, interrupted apply"
            })
          )
        }
        return Effect.succeed({ borrower: item.personId, caseId: current.caseId, outcome: "conflict", detail: "a case with this externalId appeared in the target after the plan was made" })
      }
      const body = Schema.decodeUnknownEither(CaseCreate)(item.body)
      if (Either.isLeft(body)) {
        const detail = `the plan's body is not a valid case: ${decodeError(body.left)}`
        return store.markRejected(own(item), { reason: detail, runId }).pipe(
          Effect.as<Resolution>({ borrower: item.personId, caseId: null, outcome: "rejected", field: "(body)", detail, raw: item.body })
        )
      }
      return markSent(own(item)).pipe(Effect.zipRight(create(item, body.right, 1)))
    }

    const applyUpdate = (item: PlannedUpdate, entry: LedgerEntry | undefined, current: TargetCase | undefined, prior: LedgerEntry | undefined): Effect.Effect<Resolution, ApplyFailed | StateStoreError> => {
      const base = { borrower: item.personId, caseId: item.caseId }
      if (current === undefined || current.caseId !== item.caseId) {
        return Effect.succeed({ ...base, outcome: "conflict", detail: "the case is no longer in the target under this externalId" })
      }
      if (current.updatedAt !== item.targetUpdatedAt) {
        const earlier = earlierUpdate(item, current, prior, entry)
        if (earlier !== undefined) {
          return markConfirmed(own(item), { caseId: current.caseId, snapshot: current.values, targetUpdatedAt: current.updatedAt, runId }).pipe(
            Effect.as<Resolution>({ ...base, outcome: "updated", detail: earlier === "done" ? "already done: updated by an earlier apply" : "recovered: updated by an earlier, interrupted apply" })
          )
        }
        return Effect.succeed({ ...base, outcome: "conflict", detail: `the target case changed since the plan (updatedAt ${item.targetUpdatedAt} → ${current.updatedAt}); plan again` })
      }
      const body = Schema.decodeUnknownEither(CaseUpdate)(item.body)
      if (Either.isLeft(body)) {
        const detail = `the plan's body is not a valid update: ${decodeError(body.left)}`
        return store.markRejected(own(item), { reason: detail, runId }).pipe(
          Effect.as<Resolution>({ ...base, outcome: "rejected", field: "(body)", detail, raw: item.body })
        )
      }
      return markSent(own(item)).pipe(
        Effect.zipRight(inputs.writer.updateCase(item.personId, item.caseId, body.right).pipe(Effect.matchEffect({
          onSuccess: (kase) => confirm(item, kase, item.values).pipe(Effect.as<Resolution>({ ...base, outcome: "updated", detail: "" })),
          onFailure: (error): Effect.Effect<Resolution, ApplyFailed | StateStoreError> => {
          const refused = rejectedBy(error)
          if (Option.isSome(refused) && error._tag === "Invalid") {
            return store.markRejected(own(item), { reason: refused.value.detail, runId }).pipe(
              Effect.as<Resolution>({ ...base, outcome: "rejected", field: refused.value.field, detail: refused.value.detail, raw: item.body })
            )
          }
          if (error._tag === "NotFound") {
            return Effect.succeed<Resolution>({ ...base, outcome: "conflict", detail: "the case was deleted from the target since the plan" })
          }
          return Effect.fail(failed(`updating ${item.externalId}`, error))
          }
        })))
      )
    }

    const applyOne = (item: PlanItem, entry: LedgerEntry | undefined, current: TargetCase | undefined, prior: LedgerEntry | undefined): Effect.Effect<Resolution, ApplyFailed | StateStoreError> => {
      switch (item._tag) {
        case "reject": {
          // Only the record that owns the row may mark it: a later duplicate of its key leaves it alone.
          const { sourceKey } = item
          const owned = entry !== undefined && sourceKey !== null &&
            (entry.location === null || entry.location === formatLocation(item.location)) &&
            (entry.writeState === "planned" || entry.writeState === "sent")
          return (owned
            ? store.markRejected(own({ sourceKey, location: item.location }), { reason: item.reason, runId }).pipe(Effect.asVoid)
            : Effect.void
          ).pipe(Effect.as<Resolution>({ borrower: null, caseId: entry?.caseId ?? null, outcome: "rejected", field: item.field, detail: item.reason, raw: item.raw }))
        }
        case "conflict":
          return Effect.succeed({ borrower: item.personId, caseId: item.caseId, outcome: "conflict", detail: item.reason })
        case "unchanged": {
          if (current === undefined || current.caseId !== item.caseId) {
            return Effect.succeed({ borrower: item.personId, caseId: item.caseId, outcome: "conflict", detail: "the case is no longer in the target under this externalId" })
          }
          const settled = entry?.writeState === "confirmed" && entry.targetUpdatedAt === current.updatedAt
          return (settled
            ? Effect.void
            : markConfirmed(own(item), { caseId: current.caseId, snapshot: current.values, targetUpdatedAt: current.updatedAt, runId }).pipe(Effect.asVoid)
          ).pipe(Effect.as<Resolution>({ borrower: item.personId, caseId: item.caseId, outcome: "unchanged", detail: "" }))
        }
        case "create":
          return applyCreate(item, entry, current, prior)
        case "update":
          return applyUpdate(item, entry, current, prior)
      }
    }

    const ledgerRow = (item: PlanItem, known: ReadonlyMap<string, LedgerEntry>): Option.Option<PlannedEntry> => {
      if (item._tag === "reject") return Option.none()
      return Option.some({
        job,
        sourceKey: item.sourceKey,
        externalId: item.externalId,
        borrowerId: item.personId,
        caseId: "caseId" in item ? item.caseId : known.get(item.sourceKey)?.caseId ?? null,
        location: formatLocation(item.location),
        action: item._tag,
        runId
      })
    }

    const record = (item: PlanItem, resolution: Resolution) => {
      const identity = { sourceKey: item.sourceKey, externalId: item.externalId }
      const location = formatLocation(item.location)
      return inputs.results.write({
        source_key: identity.sourceKey,
        external_id: identity.externalId,
        location,
        borrower: resolution.borrower,
        case_id: resolution.caseId,
        action: item._tag,
        outcome: resolution.outcome,
        detail: resolution.detail
      }).pipe(
        Effect.zipRight(
          resolution.outcome === "rejected"
            ? inputs.rejects.write({
              location,
              source_key: identity.sourceKey,
              external_id: identity.externalId,
              field: resolution.field ?? "",
              reason: resolution.detail,
              raw: resolution.raw ?? null
            })
            : Effect.void
        ),
        Effect.zipRight(Ref.update(counts, (c) => countOutcome(c, resolution.outcome)))
      )
    }

    const refused = (item: PlanItem, refusal: Refusal): Resolution => ({
      borrower: "personId" in item ? item.personId : null,
      caseId: null,
      outcome: "rejected",
      field: refusal.field,
      detail: refusal.detail,
      raw: "body" in item ? item.body : "values" in item ? item.values : null
    })

    // A batch's ledger rows are read, claimed and recorded in a few statements; then its items join
    // the window of writes in flight, which refills as each write ends (no wait for the batch to drain).
    const prepareBatch = (batch: Chunk.Chunk<PlanItem>) =>
      Effect.gen(function*() {
        const items = Chunk.toArray(batch)
        yield* stillHeld
        const done = yield* Ref.get(counts)
        if (done.read > 0) yield* store.putCheckpoint(job, "apply", { planId: inputs.planId, runId, itemsDone: done.read })
        const keys = items.flatMap((item) => (item.sourceKey === null ? [] : [item.sourceKey]))
        const externalIds = items.flatMap((item) => (item._tag === "reject" ? [] : [item.externalId]))
        const [known, byExternalId] = yield* Effect.all([store.getEntries(job, keys), store.getEntriesByExternalId(job, externalIds)])
        // Refused items take no ledger row and send nothing; the others are recorded, then applied.
        const refusals = claimRows(items, { runId, byKey: known, byExternalId })
        yield* store.recordPlanned(items.flatMap((item, i) => (Option.isSome(refusals[i]!) ? [] : Option.toArray(ledgerRow(item, known)))))
        const [entries, current] = yield* Effect.all([store.getEntries(job, keys), inputs.targets.casesFor(items)])
        return items.map((item, i) => ({
          item,
          refusal: refusals[i]!,
          prior: item.sourceKey === null ? undefined : known.get(item.sourceKey),
          entry: item.sourceKey === null ? undefined : entries.get(item.sourceKey),
          current: item.externalId === null ? undefined : current.get(item.externalId)
        }))
      })

    type Prepared = Effect.Effect.Success<ReturnType<typeof prepareBatch>>[number]

    // A write this run does not make leaves the row as the run found it (status would say "planned" else).
    const keepConfirmation = (item: PlanItem, prior: LedgerEntry | undefined, resolution: Resolution) => {
      if (resolution.outcome !== "conflict" || (item._tag !== "create" && item._tag !== "update")) return Effect.void
      const restored = confirmationToRestore(prior)
      return restored === undefined ? Effect.void : markConfirmed(own(item), restored)
    }

    const applyPrepared = ({ current, entry, item, prior, refusal }: Prepared) =>
      letFinish(stillHeld.pipe(
        Effect.zipRight(Option.match(refusal, {
          onSome: (refusal) => Effect.succeed(refused(item, refusal)),
          onNone: () => applyOne(item, entry, current, prior).pipe(Effect.tap((resolution) => keepConfirmation(item, prior, resolution)))
        })),
        Effect.flatMap((resolution) => record(item, resolution))
      ))

    // The first batch only fills the window, so the first writes need not wait for a whole
    // batch of the plan to be read and recorded; the next batches are prepared behind them.
    const firstBatch = Math.max(1, Math.min(inputs.concurrency, ledgerBatchSize))
    yield* inputs.items.pipe(
      // Reading the plan is synchronous within a block of the file: yield every few items, so
      // the writes in the window go on while the next batch is read (the first one above all).
      Stream.rechunk(firstBatch),
      Stream.mapChunksEffect((chunk) => Effect.as(Effect.yieldNow(), chunk)),
      Stream.zipWithIndex,
      Stream.groupAdjacentBy(([, i]) => (i < firstBatch ? -1 : Math.floor((i - firstBatch) / ledgerBatchSize))),
      Stream.map(([, batch]) => Chunk.map(batch, ([item]) => item)),
      Stream.mapEffect(prepareBatch),
      // The next batch is prepared while this one's writes are in flight.
      Stream.buffer({ capacity: 1 }),
      Stream.mapConcat((prepared) => prepared),
      Stream.mapEffect(applyPrepared, { concurrency: inputs.concurrency, unordered: true }),
      // Progress counts the items done fifty at a time (done items only: nothing waits on it).
      Stream.rechunk(50),
      Stream.runForEachChunk((done) => advanceProgress(done.length))
    )
    const done = yield* Ref.get(counts)
    yield* store.putCheckpoint(job, "apply", { planId: inputs.planId, runId, itemsDone: done.read })
    return done
  }).pipe(Effect.scoped)
