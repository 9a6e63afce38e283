import { Effect, Either, Option } from "effect"
import type { Case, CaseUpdate } from "../domain/peach/Case.js"
import type { CompiledMapping } from "../mapping/index.js"
import type { KhorosClient } from "../sources/khoros/KhorosClient.js"
import type { KhorosCaseCreate } from "../sources/khoros/KhorosCase.js"
import { formatLocation, type SourceRecord } from "../sources/SourceRecord.js"
import { StateStore } from "../state/StateStore.js"
import type { StateStoreError } from "../state/StateStoreError.js"
import type { PeachClient } from "../target/PeachClient.js"

/** What became of one target case with no CRM counterpart under `newTargetCases: createInSource`. */
export type CreatedInSource =
  | { readonly _tag: "Created"; readonly caseId: string; readonly crmId: string }
  /** Not created: why (no borrower, a pending earlier create, a refusal), for the report. */
  | { readonly _tag: "NotCreated"; readonly caseId: string; readonly reason: string }

/** The journal key of a CRM create made for a target case (the CRM id is not known before). */
export const createKey = (caseId: string): string => `target:${caseId}`

/**
 * Creates the CRM case of a target case that has none: the CRM create body from the mapping's
 * reverse (its `direction: both` fields) plus the required customer and title, then links
 * both in the ledger and gives the target case the externalId migrate would have given it, so
 * later plans and cycles pair them. Journalled `sent` before the create: a create whose answer
 * was lost is never repeated; it is reported until a person checks the CRM.
 */
export const createInSource = (
  inputs: {
    readonly job: string
    readonly runId: string
    readonly compiled: CompiledMapping
    readonly crm: KhorosClient["Type"]
    readonly peach: PeachClient["Type"]
    /** Borrower person id → the borrower's externalId (the CRM's customer id). */
    readonly customerOf: ReadonlyMap<string, string>
    readonly pending: ReadonlySet<string>
  },
  target: Case
): Effect.Effect<CreatedInSource, StateStoreError, StateStore> =>
  Effect.gen(function*() {
    const store = yield* StateStore
    const notCreated = (reason: string): CreatedInSource => ({ _tag: "NotCreated", caseId: target.id, reason })
    if (inputs.pending.has(createKey(target.id))) {
      return notCreated("an earlier create in the CRM was sent without an answer: check the CRM for it before anything is created again")
    }
    const personId = target.borrowerIds[0] ?? target.people[0]
    const customerId = personId === undefined ? undefined : inputs.customerOf.get(personId)
    if (personId === undefined || customerId === undefined) return notCreated("its borrower has no externalId to name the CRM customer")
    const patch = yield* Effect.either(inputs.compiled.toSource(target as unknown as Readonly<Record<string, unknown>>))
    if (Either.isLeft(patch)) return notCreated(patch.left.message)
    const body = { ...patch.right, customerId, title: target.name ?? `Case ${target.id}` } as KhorosCaseCreate
    yield* store.markSideSent({ job: inputs.job, sourceKey: createKey(target.id), side: "crm", body, runId: inputs.runId })
    const created = yield* Effect.either(inputs.crm.createCase(body))
    if (Either.isLeft(created)) return notCreated(`the CRM refused the create: ${created.left.message}`)
    yield* store.markSideConfirmed(inputs.job, createKey(target.id), "crm", inputs.runId)
    const record: SourceRecord = {
      _tag: "Record",
      location: { _tag: "khoros", customerId, caseId: created.right.id },
      data: created.right as unknown as Readonly<Record<string, unknown>>
    }
    const mapped = yield* inputs.compiled.mapRecord(record)
    if (mapped._tag === "Rejection") {
      return notCreated(`created in the CRM as ${created.right.id}, but the mapping rejects it (${mapped.reason}): not linked`)
    }
    const item = { job: inputs.job, sourceKey: mapped.sourceKey, location: formatLocation(record.location) }
    yield* store.recordPlanned([{ ...item, externalId: mapped.externalId, caseId: target.id, action: "update", runId: inputs.runId }])
    yield* store.markSent(item, inputs.runId)
    const linked = yield* Effect.either(
      inputs.peach.updateCase(personId, target.id, { externalId: mapped.externalId } as CaseUpdate)
    )
    if (Either.isLeft(linked)) {
      return notCreated(`created in the CRM as ${created.right.id}; giving the target case its externalId failed (${linked.left.message}): run sync again`)
    }
    yield* store.markConfirmed(item, {
      caseId: target.id,
      snapshot: mapped.values,
      targetUpdatedAt: Option.getOrNull(Option.fromNullable(linked.right.updatedAt)),
      runId: inputs.runId
    })
    const done: CreatedInSource = { _tag: "Created", caseId: target.id, crmId: created.right.id }
    return done
  })
