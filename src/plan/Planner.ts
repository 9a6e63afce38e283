import { Chunk, Effect, Either, Option, Ref, Stream } from "effect"
import type { SourceItem, SourceRecord } from "../sources/SourceRecord.js"
import { formatLocation } from "../sources/SourceRecord.js"
import { StateStore } from "../state/StateStore.js"
import type { StateStoreError } from "../state/StateStoreError.js"
import type { LedgerEntry } from "../state/LedgerEntry.js"
import { decide } from "./Decide.js"
import { ledgerIdentityProblem } from "./LedgerIdentity.js"
import type { FirstSeen, PlanScratch } from "./PlanScratch.js"
import type { OwnedValues, PlanItem, PlannedReject } from "./Plan.js"
import { type BorrowerIndex, type BorrowerRef, resolveBorrower, type TargetIndex } from "./TargetIndex.js"

/** A source record turned into what the target should hold, before the borrower is resolved. */
export interface MappedRecord {
  readonly sourceKey: string
  readonly externalId: string
  readonly borrower: BorrowerRef
  /** The create body the mapping produced. */
  readonly body: Readonly<Record<string, unknown>>
  /** The owned fields' values, flattened to dotted target paths. */
  readonly values: OwnedValues
}

/** Why a record could not be mapped: the field at fault and the reason, for the rejects file. */
export interface RecordRejection {
  readonly field: string
  readonly reason: string
  readonly sourceKey?: string | null | undefined
  readonly externalId?: string | null | undefined
}

/** What the planner needs of a mapping: the fields it owns, and how to map one record. */
export interface RecordMapper {
  readonly ownedFields: ReadonlyArray<string>
  readonly map: (record: SourceRecord) => Effect.Effect<Either.Either<MappedRecord, RecordRejection>>
  /** The same as plain code, `undefined` for a record that needs `map` (a step that is not synchronous). */
  readonly mapPlain?: ((record: SourceRecord) => Either.Either<MappedRecord, RecordRejection> | undefined) | undefined
  /** What a source holding what sync wrote back for `base` maps to, per two-way field (`sync/LedgerBase.sourceAtBase`). */
  readonly sourceAtBase?: ((typeId: string, base: OwnedValues) => OwnedValues | undefined) | undefined
}

/** Everything one plan is computed from. */
export interface PlanInputs<E, R> {
  readonly job: string
  readonly mapper: RecordMapper
  readonly source: Stream.Stream<SourceItem, E, R>
  readonly targets: TargetIndex
  readonly borrowers: BorrowerIndex
  /** Where the keys seen so far are kept (`PlanScratch`, on disk); in memory when not given. */
  readonly claims?: Claims | undefined
  /** Keeps a record in the plan; the others are counted as skipped (`--only-rejects`). */
  readonly include?: ((item: SourceItem) => boolean) | undefined
}

/** Claims records' externalIds and keys in source order (see `PlanScratch.claim`). */
export type Claims = PlanScratch["claim"]

/** The same rule in memory, for small inputs and tests. */
export const memoryClaims = (): Claims => {
  const seen = new Map<string, string>()
  const seenKeys = new Map<string, string>()
  return (records) =>
    records.map(({ externalId, sourceKey, where }): FirstSeen | undefined => {
      const first = seen.get(externalId)
      if (first !== undefined) return { field: "externalId", first }
      const firstOfKey = seenKeys.get(sourceKey)
      if (firstOfKey !== undefined) return { field: "key", first: firstOfKey }
      seen.set(externalId, where)
      seenKeys.set(sourceKey, where)
      return undefined
    })
}

/** The plan's items as a stream, and how many records the `include` filter skipped (final once the stream ends). */
export interface PlannedItems<E, R> {
  readonly items: Stream.Stream<PlanItem, E | StateStoreError, R>
  readonly skipped: Effect.Effect<number>
}

const reject = (item: SourceItem, field: string, reason: string, keys: Partial<RecordRejection> = {}): PlannedReject => ({
  _tag: "reject",
  location: item.location,
  sourceKey: keys.sourceKey ?? null,
  externalId: keys.externalId ?? null,
  field,
  reason,
  raw: item._tag === "Record" ? item.data : item.raw
})

type Mapped =
  /** Decided already (a reject); `claims` names the keys a rejected record still holds against later duplicates. */
  | { readonly _tag: "Done"; readonly item: PlanItem; readonly claims?: { readonly sourceKey: string; readonly externalId: string } }
  | { readonly _tag: "Ready"; readonly source: SourceRecord; readonly mapped: MappedRecord; readonly personId: string }

/** How many records the planner maps, checks and decides together: one ledger query pair per batch. */
const batchSize = 500

/**
 * Plans a migration: every source item becomes exactly one plan item — a reject
 * (unreadable input, a mapping failure, an unknown borrower, a key or externalId seen
 * twice in the source, a key or externalId the ledger links otherwise), or the decision of `decide` against the target index and the
 * ledger's last synced snapshot. The record path is plain code over batches of records; the
 * only Effects per batch are the ledger reads (and a `compute:` step, when the mapping has one). Writes nothing.
 */
export const planItems = <E, R>(
  inputs: PlanInputs<E, R>
): Effect.Effect<PlannedItems<E, R>, never, StateStore> =>
  Effect.gen(function*() {
    const store = yield* StateStore
    const skipped = yield* Ref.make(0)
    const claims = inputs.claims ?? memoryClaims()
    const include = inputs.include ?? (() => true)
    const mapPlain = inputs.mapper.mapPlain
    // A first migration has no ledger rows for its job: then no batch needs to ask for them.
    // Read once, as the plan starts reading the source (a plan is a snapshot of the ledger too).
    const ledgerHasRows = yield* Effect.cached(
      Effect.map(store.countByState(inputs.job), (counts) => Object.values(counts).some((n) => n > 0))
    )

    // A record rejected for its contents is still the first of its key: once fixed it is the one
    // that may be written, so a later record with the same key or externalId is rejected meanwhile.
    const claimsOf = (keys: Partial<RecordRejection>) =>
      typeof keys.sourceKey === "string" && typeof keys.externalId === "string" ? { claims: { sourceKey: keys.sourceKey, externalId: keys.externalId } } : {}
    const settle = (item: SourceRecord, result: Either.Either<MappedRecord, RecordRejection>): Mapped => {
      if (Either.isLeft(result)) return { _tag: "Done", item: reject(item, result.left.field, result.left.reason, result.left), ...claimsOf(result.left) }
      const mapped = result.right
      const borrower = resolveBorrower(inputs.borrowers, mapped.borrower)
      if (borrower._tag === "Missing") return { _tag: "Done", item: reject(item, "borrower", borrower.reason, mapped), ...claimsOf(mapped) }
      return { _tag: "Ready", source: item, mapped, personId: borrower.personId }
    }

    // Plain code where the mapping allows it; the records that need the Effect path are mapped one after the other.
    const mapBatch = (batch: ReadonlyArray<SourceItem>): Effect.Effect<Array<Mapped>> => {
      const out: Array<Mapped | undefined> = new Array(batch.length)
      const pending: Array<number> = []
      for (let i = 0; i < batch.length; i++) {
        const item = batch[i]!
        if (item._tag === "Unreadable") {
          out[i] = { _tag: "Done", item: reject(item, "(record)", item.reason) }
          continue
        }
        const result = mapPlain?.(item)
        if (result === undefined) pending.push(i)
        else out[i] = settle(item, result)
      }
      if (pending.length === 0) return Effect.succeed(out as Array<Mapped>)
      return Effect.forEach(pending, (i) => {
        const item = batch[i] as SourceRecord
        return Effect.map(inputs.mapper.map(item), (result) => void (out[i] = settle(item, result)))
      }, { discard: true }).pipe(Effect.as(out as Array<Mapped>))
    }

    // In source order: the first occurrence of a key or an externalId wins, later ones are rejected.
    const rejectDuplicates = (batch: Array<Mapped>): Array<Mapped> => {
      const claimants = batch.filter((m) => m._tag === "Ready" || m.claims !== undefined)
      const verdicts = claims(claimants.map((m) =>
        m._tag === "Ready"
          ? { externalId: m.mapped.externalId, sourceKey: m.mapped.sourceKey, where: formatLocation(m.source.location) }
          : { ...m.claims!, where: formatLocation(m.item.location) }
      ))
      const refused = new Map<Mapped, FirstSeen>()
      claimants.forEach((m, i) => {
        const verdict = verdicts[i]
        // A record already rejected keeps its own reason.
        if (verdict !== undefined && m._tag === "Ready") refused.set(m, verdict)
      })
      if (refused.size === 0) return batch
      return batch.map((m): Mapped => {
        const verdict = refused.get(m)
        if (verdict === undefined || m._tag === "Done") return m
        const { externalId, sourceKey } = m.mapped
        return {
          _tag: "Done",
          item: verdict.field === "externalId"
            ? reject(m.source, "externalId", `externalId ${externalId} already produced by ${verdict.first}`, m.mapped)
            : reject(m.source, "key", `source key ${sourceKey} already produced by ${verdict.first}`, m.mapped)
        }
      })
    }

    const decideBatch = (batch: Array<Mapped>) =>
      Effect.gen(function*() {
        const ready = batch.flatMap((m) => (m._tag === "Ready" ? [m.mapped] : []))
        const targetsOfBatch = inputs.targets.byExternalId.getMany(ready.map((m) => m.externalId))
        const [byKey, byExternalId] = ready.length === 0 || !(yield* ledgerHasRows)
          ? [new Map<string, LedgerEntry>(), new Map<string, LedgerEntry>()]
          : yield* Effect.all([
            store.getEntries(inputs.job, ready.map((m) => m.sourceKey)),
            store.getEntriesByExternalId(inputs.job, ready.map((m) => m.externalId))
          ])
        return Chunk.unsafeFromArray(batch.map((m): PlanItem => {
          if (m._tag === "Done") return m.item
          const entry = byKey.get(m.mapped.sourceKey)
          const problem = ledgerIdentityProblem(m.mapped, entry, byExternalId.get(m.mapped.externalId))
          if (Option.isSome(problem)) return reject(m.source, problem.value.field, problem.value.reason, m.mapped)
          const base = entry?.snapshot ? Option.some(entry.snapshot) : Option.none()
          const unmoved = entry?.snapshot && inputs.mapper.sourceAtBase !== undefined
            ? inputs.mapper.sourceAtBase(String(m.mapped.body["typeId"]), entry.snapshot)
            : undefined
          return decide(
            {
              sourceKey: m.mapped.sourceKey,
              externalId: m.mapped.externalId,
              location: m.source.location,
              personId: m.personId,
              body: m.mapped.body,
              values: m.mapped.values
            },
            Option.fromNullable(targetsOfBatch.get(m.mapped.externalId)),
            base,
            unmoved
          )
        }))
      })

    // Every record is mapped and claims its keys in source order, the ones the filter leaves out too:
    // a duplicate is judged against the whole source, not against the records kept.
    const planBatch = (chunk: Chunk.Chunk<SourceItem>) => {
      const batch = Chunk.toReadonlyArray(chunk)
      const kept = batch.map(include)
      const left = kept.reduce((n, keep) => (keep ? n : n + 1), 0)
      return (left === 0 ? Effect.void : Ref.update(skipped, (n) => n + left)).pipe(
        Effect.zipRight(mapBatch(batch)),
        Effect.flatMap((mapped) => {
          const judged = rejectDuplicates(mapped)
          return decideBatch(left === 0 ? judged : judged.filter((_, i) => kept[i]))
        })
      )
    }

    const items = inputs.source.pipe(
      Stream.grouped(batchSize),
      Stream.mapEffect(planBatch),
      Stream.flattenChunks
    )
    return { items, skipped: Ref.get(skipped) }
  })
