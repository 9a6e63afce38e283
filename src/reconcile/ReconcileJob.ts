import { Chunk, Effect, Either, Option, Stream } from "effect"
import type { Case } from "../domain/peach/Case.js"
import type { DesiredCase, TargetCase } from "../plan/Decide.js"
import { ledgerIdentityProblem } from "../plan/LedgerIdentity.js"
import type { PlannedCreate, PlannedUpdate } from "../plan/Plan.js"
import type { RecordMapper } from "../plan/Planner.js"
import { type BorrowerIndex, nestedHeadsOf, resolveBorrower, targetCaseOf } from "../plan/TargetIndex.js"
import { formatLocation, type SourceItem } from "../sources/SourceRecord.js"
import type { LedgerEntry } from "../state/LedgerEntry.js"
import { StateStore } from "../state/StateStore.js"
import type { StateStoreError } from "../state/StateStoreError.js"
import { addCase, type Checksum, emptyChecksum } from "./Checksum.js"
import { compareRecord, externalIdPattern, fixFor, ledgerProblem } from "./Compare.js"
import type {
  DriftingCase,
  LedgerDisagreement,
  MisplacedCase,
  MissingCase,
  OrphanCase,
  Reconciliation,
  ReconcileReject
} from "./Reconciliation.js"

/** Everything one reconciliation reads: the mapped source, the target's list calls and (through StateStore) the ledger. */
export interface ReconcileInputs<E, R, TE, TR> {
  readonly job: string
  readonly mapper: RecordMapper
  /** The mapping's `externalId:` template, which names this job's cases in the target. */
  readonly externalIdTemplate: string
  /** The `direction: both` target fields: a target edit of one is sync's to carry back, not a repair. */
  readonly twoWayFields: ReadonlySet<string>
  readonly source: Stream.Stream<SourceItem, E, R>
  readonly targetCases: Stream.Stream<Case, TE, TR>
  readonly borrowers: BorrowerIndex
}

/** A repair: a create for a missing record, an update of source-owned drift. */
export type Fix = PlannedCreate | PlannedUpdate

/** A reconciliation, and what the consumer of its repairs returned. */
export interface ReconcileResult<A> {
  readonly reconciliation: Reconciliation
  readonly fixes: A
}

const caseTypeOf = (desired: DesiredCase): string | null => {
  const typeId = desired.body["typeId"]
  return typeId === undefined || typeId === null ? null : String(typeId)
}

type Mapped =
  | { readonly _tag: "Rejected"; readonly reject: ReconcileReject }
  | { readonly _tag: "Ready"; readonly desired: DesiredCase; readonly raw: unknown }

/**
 * Reconciles one job: reads the target once with list calls (keeping every case of an
 * externalId, so duplicates show), maps every source record, compares each with its case
 * and its ledger row, then walks the target for orphans and the ledger for rows the target
 * contradicts. Writes nothing anywhere.
 */
export const reconcileJob = <E, R, TE, TR, A, FE, FR>(
  inputs: ReconcileInputs<E, R, TE, TR>,
  /**
   * Consumes the repairs as the source streams by (writes them to a plan file, or drains
   * them), so a large repair plan never sits in memory; it must run the stream to its end.
   */
  consumeFixes: (fixes: Stream.Stream<Fix, E | StateStoreError, R>) => Effect.Effect<A, FE, FR>
) =>
  Effect.gen(function*() {
    const store = yield* StateStore
    const { mapper } = inputs
    const nestedHeads = nestedHeadsOf(mapper.ownedFields)
    const targets = yield* Stream.runFold(inputs.targetCases, new Map<string, Array<TargetCase>>(), (index, kase) => {
      const target = targetCaseOf(kase, mapper.ownedFields, nestedHeads)
      if (target !== undefined) index.set(kase.externalId!, [...(index.get(kase.externalId!) ?? []), target])
      return index
    })
    const pattern = externalIdPattern(inputs.externalIdTemplate)

    let read = 0
    let inSync = 0
    let sourceChecksum: Checksum = emptyChecksum
    const seen = new Map<string, string>()
    const seenKeys = new Map<string, string>()
    const rejectedIds = new Map<string, string>()
    const rejects: Array<ReconcileReject> = []
    const missing: Array<MissingCase> = []
    const drift: Array<DriftingCase> = []
    const otherBorrower: Array<MisplacedCase> = []

    const rejectRecord = (reject: ReconcileReject) => {
      rejects.push(reject)
      if (reject.externalId !== null && !rejectedIds.has(reject.externalId)) rejectedIds.set(reject.externalId, reject.reason)
    }

    const mapItem = (item: SourceItem): Effect.Effect<Mapped> => {
      if (item._tag === "Unreadable") {
        return Effect.succeed({ _tag: "Rejected", reject: { location: item.location, externalId: null, field: "(record)", reason: item.reason, raw: item.raw } })
      }
      return mapper.map(item).pipe(Effect.map(Either.match({
        onLeft: (rejection): Mapped => ({
          _tag: "Rejected",
          reject: { location: item.location, externalId: rejection.externalId ?? null, field: rejection.field, reason: rejection.reason, raw: item.data }
        }),
        onRight: (mapped): Mapped => {
          const borrower = resolveBorrower(inputs.borrowers, mapped.borrower)
          if (borrower._tag === "Missing") {
            return { _tag: "Rejected", reject: { location: item.location, externalId: mapped.externalId, field: "borrower", reason: borrower.reason, raw: item.data } }
          }
          return {
            _tag: "Ready",
            desired: { ...mapped, location: item.location, personId: borrower.personId },
            raw: item.data
          }
        }
      })))
    }

    // In source order, as the planner does: the first record of a key or externalId is the one compared.
    const firstOnly = (mapped: Mapped): Mapped => {
      if (mapped._tag === "Rejected") return mapped
      const { externalId, location, sourceKey } = mapped.desired
      const reason = seen.has(externalId)
        ? `externalId ${externalId} already produced by ${seen.get(externalId)}`
        : seenKeys.has(sourceKey)
        ? `source key ${sourceKey} already produced by ${seenKeys.get(sourceKey)}`
        : undefined
      if (reason !== undefined) {
        return { _tag: "Rejected", reject: { location, externalId, field: seen.has(externalId) ? "externalId" : "key", reason, raw: mapped.raw } }
      }
      seen.set(externalId, formatLocation(location))
      seenKeys.set(sourceKey, formatLocation(location))
      return mapped
    }

    const compareBatch = (batch: Chunk.Chunk<Mapped>) =>
      Effect.gen(function*() {
        const ready = Chunk.toArray(batch).flatMap((m) => (m._tag === "Ready" ? [m.desired] : []))
        const [byKey, byExternalId] = ready.length === 0
          ? [new Map<string, LedgerEntry>(), new Map<string, LedgerEntry>()]
          : yield* Effect.all([
            store.getEntries(inputs.job, ready.map((d) => d.sourceKey)),
            store.getEntriesByExternalId(inputs.job, ready.map((d) => d.externalId))
          ])
        const fixes: Array<Fix> = []
        for (const m of batch) {
          read++
          if (m._tag === "Rejected") {
            rejectRecord(m.reject)
            continue
          }
          const desired = m.desired
          const entry = byKey.get(desired.sourceKey)
          const problem = ledgerIdentityProblem(desired, entry, byExternalId.get(desired.externalId))
          if (Option.isSome(problem)) {
            rejectRecord({ location: desired.location, externalId: desired.externalId, ...problem.value, raw: m.raw })
            continue
          }
          sourceChecksum = addCase(sourceChecksum, desired.externalId, desired.values)
          const unmoved = entry?.snapshot && inputs.mapper.sourceAtBase !== undefined
            ? inputs.mapper.sourceAtBase(caseTypeOf(desired) ?? "", entry.snapshot)
            : undefined
          const finding = compareRecord(desired, targets.get(desired.externalId) ?? [], entry, unmoved)
          const ids = { sourceKey: desired.sourceKey, externalId: desired.externalId, location: desired.location }
          const who = { personId: desired.personId, caseType: caseTypeOf(desired) }
          if (finding._tag === "InSync") inSync++
          else if (finding._tag === "Missing") missing.push({ ...ids, ...who })
          else if (finding._tag === "Drift") drift.push({ ...ids, ...who, caseId: finding.target.caseId, fields: finding.fields })
          else otherBorrower.push({ ...ids, caseId: finding.target.caseId, wantedPersonId: desired.personId, personIds: finding.target.personIds })
          const fix = fixFor(desired, finding, inputs.twoWayFields)
          if (Option.isSome(fix)) fixes.push(fix.value)
        }
        return Chunk.unsafeFromArray(fixes)
      })

    const fixed = yield* consumeFixes(inputs.source.pipe(
      Stream.mapEffect(mapItem, { concurrency: 8 }),
      Stream.map(firstOnly),
      Stream.grouped(500),
      Stream.mapEffect(compareBatch),
      Stream.flattenChunks
    ))

    // The target's side: every case of this job's pattern (or, without one, of an externalId the source produced).
    const ofJob = (externalId: string) => Option.match(pattern, { onNone: () => seen.has(externalId), onSome: (p) => p.test(externalId) })
    let targetChecksum: Checksum = emptyChecksum
    const orphans: Array<OrphanCase> = []
    const duplicates: Array<{ externalId: string; caseIds: ReadonlyArray<string> }> = []
    for (const [externalId, cases] of targets) {
      if (cases.length > 1) duplicates.push({ externalId, caseIds: cases.map((c) => c.caseId) })
      if (!ofJob(externalId)) continue
      for (const kase of cases) {
        targetChecksum = addCase(targetChecksum, externalId, kase.values)
        if (!seen.has(externalId)) {
          orphans.push({ externalId, caseId: kase.caseId, personIds: kase.personIds, sourceRejected: rejectedIds.get(externalId) ?? null })
        }
      }
    }

    const ledger = yield* store.listEntries(inputs.job).pipe(
      Stream.filterMap((entry) =>
        Option.map(ledgerProblem(entry, targets.get(entry.externalId) ?? []), (problem): LedgerDisagreement => ({
          ...problem,
          sourceKey: entry.sourceKey,
          externalId: entry.externalId,
          writeState: entry.writeState
        }))
      ),
      Stream.runCollect,
      Effect.map(Chunk.toArray)
    )

    const reconciliation: Reconciliation = {
      job: inputs.job,
      counts: {
        read,
        rejected: rejects.length,
        compared: read - rejects.length,
        inSync,
        missing: missing.length,
        drift: drift.length,
        driftFields: drift.reduce((n, d) => n + d.fields.length, 0),
        otherBorrower: otherBorrower.length,
        orphans: orphans.length,
        duplicates: duplicates.length,
        ledger: ledger.length
      },
      checksums: { source: sourceChecksum, target: targetChecksum },
      orphansChecked: Option.isSome(pattern),
      missing,
      drift,
      otherBorrower,
      orphans,
      duplicates,
      ledger,
      rejects
    }
    return { reconciliation, fixes: fixed } satisfies ReconcileResult<A>
  }).pipe(Effect.withSpan("Reconcile.job"))
