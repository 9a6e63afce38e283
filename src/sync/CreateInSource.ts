import { Effect, Either, Option } from "effect"
import type { Case, CaseUpdate } from "../domain/peach/Case.js"
import { isOutcomeUnknown } from "../http/HttpRequestError.js"
import type { CompiledField } from "../mapping/CompileField.js"
import type { CompiledMapping } from "../mapping/index.js"
import { ownedValuesOf, readPathOrNull, sameValue, updateBodyFor } from "../plan/FieldValues.js"
import type { KhorosClient } from "../sources/khoros/KhorosClient.js"
import type { KhorosCaseCreate } from "../sources/khoros/KhorosCase.js"
import { formatLocation, type SourceRecord } from "../sources/SourceRecord.js"
import { StateStore } from "../state/StateStore.js"
import type { StateStoreError } from "../state/StateStoreError.js"
import type { SideWriteEntry } from "../state/SyncStates.js"
import type { PeachClient } from "../target/PeachClient.js"

/** What became of one target case with no CRM counterpart under `newTargetCases: createInSource`. */
export type CreatedInSource =
  /** `adopted`: made by an earlier cycle (its answer lost, or it died before linking), linked by this one (no CRM write now). */
  | { readonly _tag: "Created"; readonly caseId: string; readonly crmId: string; readonly adopted: boolean }
  /** Not created: why (no borrower, a pending earlier create, a refusal), for the report. */
  | { readonly _tag: "NotCreated"; readonly caseId: string; readonly reason: string }

/** The journal key of a CRM create made for a target case (the CRM id is not known before). */
export const createKey = (caseId: string): string => `target:${caseId}`

/** The target case id of a CRM create's journal key; `undefined` for the key of any other write. */
const caseIdOfCreateKey = (key: string): string | undefined => (key.startsWith(createKey("")) ? key.slice(createKey("").length) : undefined)

/** The target case id of a journalled CRM create still `sent` (no answer came); `undefined` for any other write. */
const unansweredCreate = (write: SideWriteEntry): string | undefined =>
  write.side === "crm" && write.writeState === "sent" ? caseIdOfCreateKey(write.sourceKey) : undefined

/** The target case ids whose CRM create was sent and has had no answer. */
export const pendingCreates = (sent: ReadonlyArray<SideWriteEntry>): ReadonlyArray<string> =>
  sent.flatMap((write) => unansweredCreate(write) ?? [])

const notCreated = (target: Case, reason: string): CreatedInSource => ({ _tag: "NotCreated", caseId: target.id, reason })

/** A create an earlier cycle sent to the CRM and never linked: the unlinked CRM cases that may be it. */
export interface LostCreate {
  readonly candidates: ReadonlyArray<SourceRecord>
  /** The CRM case id it made, if known: from the CRM's answer, or what a person said (`casesync sync resolve-create`); else null. */
  readonly chosen: string | null
  /** The CRM answered (journalled `confirmed`) and the cycle died before the link: nothing to wait for, only a link to make. */
  readonly answered: boolean
}

/** A CRM create the journal holds: sent without an answer, or answered but with its target case still unlinked. */
const unlinkedCreate = (write: SideWriteEntry, unlinkedTargets: ReadonlySet<string>): string | undefined => {
  if (write.side !== "crm") return undefined
  const caseId = caseIdOfCreateKey(write.sourceKey)
  if (caseId === undefined) return undefined
  // The journal keeps every answered create: only one whose target case is still unlinked was cut short.
  return write.writeState === "sent" || unlinkedTargets.has(caseId) ? caseId : undefined
}

/**
 * The creates an earlier cycle sent to the CRM and never linked, by target case id: those without
 * an answer (the process died, or the answer was lost after the CRM committed), and those answered
 * whose target case (`unlinkedTargets`: the target cases with no CRM counterpart) is still unlinked
 * (the process died between the answer and the link). Each comes with the unlinked CRM cases that
 * may be it: the case it made, once known (from the CRM's answer, or named by a person), alone, if
 * it is unlinked and its customer's; else those of the same customer and title, both always sent
 * (a CRM may normalise the other fields). Such a case must not also be created in the target as a
 * new CRM case: that would make a second target case.
 */
export const lostCreates = (
  writes: ReadonlyArray<SideWriteEntry>,
  unlinked: ReadonlyArray<SourceRecord>,
  unlinkedTargets: ReadonlySet<string>
): ReadonlyMap<string, LostCreate> => {
  const lost = new Map<string, LostCreate>()
  for (const write of writes) {
    const caseId = unlinkedCreate(write, unlinkedTargets)
    if (caseId === undefined) continue
    const body = write.body as Partial<Record<"customerId" | "title", unknown>> | null
    const chosen = write.resolvedAs
    const candidates = unlinked.filter((record) =>
      body !== null && record.data["customerId"] === body.customerId &&
      (chosen === null ? record.data["title"] === body.title : String(record.data["id"]) === chosen)
    )
    lost.set(caseId, { candidates, chosen, answered: write.writeState === "confirmed" })
  }
  return lost
}

/** How a person answers for an unanswered create, named in the report. */
const resolveHint = (caseId: string) =>
  `\`casesync sync resolve-create ${caseId} --crm-case <id>\` names the CRM case it made; \`--not-created\` lets the next cycle create it again`

/**
 * Creates the CRM case of a target case that has none: the CRM create body from the mapping's
 * reverse (its `direction: both` fields) plus the required customer and title, then links
 * both in the ledger and gives the target case the externalId migrate would have given it (with
 * the CRM's values of the fields the CRM feeds: `linkUpdate`), so later plans and cycles pair them. Journalled `sent` before the create: a create whose answer
 * was lost is never repeated: the next cycle links the one unlinked CRM case of that customer and
 * title (`lostCreates`), and reports it for a person while there is none, or several, until the
 * person names the case it made or says it made none (`casesync sync resolve-create`). Journalled
 * `confirmed` with the CRM's id on its answer: a cycle that stops before the link leaves the next
 * one exactly that case to link.
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
    /** Creates earlier cycles sent and never linked, by target case id (`lostCreates`). */
    readonly lost: ReadonlyMap<string, LostCreate>
  },
  target: Case
): Effect.Effect<CreatedInSource, StateStoreError, StateStore> =>
  Effect.gen(function*() {
    const store = yield* StateStore
    const personId = target.borrowerIds[0] ?? target.people[0]
    if (personId === undefined) return notCreated(target, "it has no borrower to name the CRM customer")
    const lost = inputs.lost.get(target.id)
    if (lost?.answered === true) {
      // The CRM made it and the journal holds its answer: link it, never create it again.
      const [only, ...others] = lost.candidates
      if (only !== undefined && others.length === 0) return yield* linkCreated(inputs, target, personId, only, true)
      return notCreated(target, lost.chosen !== null
        ? `an earlier cycle created it in the CRM as ${lost.chosen} and stopped before linking it, and ${lost.chosen} is not an unlinked CRM case of its customer that the mapping accepts: not linked, and not created again; check CRM case ${lost.chosen}`
        : `an earlier cycle created it in the CRM and stopped before linking it, and ${only === undefined ? "the CRM holds no unlinked case" : `several unlinked CRM cases (${lost.candidates.map((record) => formatLocation(record.location)).join(", ")})`} of its customer and title: not linked, and not created again; check the CRM for the case it made`)
    }
    if (lost !== undefined) {
      const [only, ...others] = lost.candidates
      if (only === undefined) {
        return notCreated(target, lost.chosen === null
          ? `an earlier create in the CRM was sent without an answer, and the CRM holds no unlinked case of its customer and title: check the CRM for it before anything is created again; ${resolveHint(target.id)}`
          : `an earlier create in the CRM was sent without an answer, and CRM case ${lost.chosen}, named as the case it made, is not an unlinked case of its customer: name another; ${resolveHint(target.id)}`)
      }
      if (others.length > 0) {
        const ids = lost.candidates.map((record) => formatLocation(record.location)).join(", ")
        return notCreated(target, `an earlier create in the CRM was sent without an answer, and several unlinked CRM cases may be it (${ids}): none is linked or created in the target until a person names the one it made; ${resolveHint(target.id)}`)
      }
      // Confirmed with the case adopted, so a link cut short is completed with that very case.
      yield* store.markSideConfirmed(inputs.job, createKey(target.id), "crm", inputs.runId, String(only.data["id"]))
      return yield* linkCreated(inputs, target, personId, only, true)
    }
    const customerId = inputs.customerOf.get(personId)
    if (customerId === undefined) return notCreated(target, "its borrower has no externalId to name the CRM customer")
    const patch = yield* Effect.either(inputs.compiled.toSource(target as unknown as Readonly<Record<string, unknown>>))
    if (Either.isLeft(patch)) return notCreated(target, patch.left.message)
    const body = crmCreateBody(patch.right, customerId, target.name ?? `Case ${target.id}`)
    yield* store.markSideSent({ job: inputs.job, sourceKey: createKey(target.id), side: "crm", body, runId: inputs.runId })
    const created = yield* Effect.either(inputs.crm.createCase(body))
    if (Either.isLeft(created)) {
      if (isOutcomeUnknown(created.left)) {
        return notCreated(target, `the create in the CRM got no clear answer (${created.left.message}): the next cycle looks for the case it may have made`)
      }
      // A clear refusal made nothing: the journal forgets the create, so the next cycle may send it again.
      yield* store.resolveSentWrite(inputs.job, createKey(target.id), "crm", { _tag: "notMade" })
      return notCreated(target, `the CRM refused the create: ${created.left.message}`)
    }
    // The answer's id is journalled with it: a death before the link leaves the next cycle that case to link.
    yield* store.markSideConfirmed(inputs.job, createKey(target.id), "crm", inputs.runId, created.right.id)
    const record: SourceRecord = {
      _tag: "Record",
      location: { _tag: "khoros", customerId, caseId: created.right.id },
      data: created.right as unknown as Readonly<Record<string, unknown>>
    }
    return yield* linkCreated(inputs, target, personId, record, false)
  })

/**
 * The CRM create body of a target case: its written-back values, the customer and the title.
 * A value the target case lacks is left out, not sent as null: the CRM refuses null, and a
 * property left out of a create is simply not set.
 */
export const crmCreateBody = (
  patch: Readonly<Record<string, unknown>>,
  customerId: string,
  title: string
): KhorosCaseCreate =>
  ({
    ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== null && value !== undefined)),
    customerId,
    title
  }) as KhorosCaseCreate

/**
 * The target update that links a target case to the CRM case made for it: the externalId, and
 * what the mapping makes of the CRM case in every owned field the target did not feed it
 * (`toTarget` ones, the CRM's bookkeeping among them: its number, url, created, lastUpdated;
 * and computed fields). Sync never carries the bookkeeping later, so the link is the one write
 * that can. The fields the target fed the CRM (`both`, `toSource`) keep the target's values:
 * they are what the CRM was sent, and a many-to-one reverse would not bring them back as they were.
 */
export const linkUpdate = (
  fields: ReadonlyArray<CompiledField>,
  target: Readonly<Record<string, unknown>>,
  mapped: { readonly externalId: string; readonly values: Readonly<Record<string, unknown>> }
): Record<string, unknown> => {
  const typeId = target["typeId"] ?? (target["caseTypeMeta"] as { id?: unknown } | undefined)?.id
  // The fields the create's body came from (as `toSource` reads them).
  const fedByTarget = new Set(fields.flatMap((field) =>
    field.direction !== "toTarget" && field.sourcePath !== undefined && typeof typeId === "string" && field.runners.has(typeId)
      ? [field.target]
      : []
  ))
  const changes = Object.entries(mapped.values)
    .filter(([field, value]) => !fedByTarget.has(field) && !sameValue(readPathOrNull(target, field), value))
    .map(([field, after]) => ({ field, after }))
  return { ...updateBodyFor(target, changes), externalId: mapped.externalId }
}

/** Links a CRM case made for `target` to it: in the ledger, and by giving the target case its externalId and the CRM's fields (`linkUpdate`). */
const linkCreated = (
  inputs: { readonly job: string; readonly runId: string; readonly compiled: CompiledMapping; readonly peach: PeachClient["Type"] },
  target: Case,
  personId: string,
  record: SourceRecord,
  adopted: boolean
): Effect.Effect<CreatedInSource, StateStoreError, StateStore> =>
  Effect.gen(function*() {
    const store = yield* StateStore
    const crmId = String(record.data["id"])
    const mapped = yield* inputs.compiled.mapRecord(record)
    if (mapped._tag === "Rejection") {
      return notCreated(target, `created in the CRM as ${crmId}, but the mapping rejects it (${mapped.reason}): not linked`)
    }
    const item = { job: inputs.job, sourceKey: mapped.sourceKey, location: formatLocation(record.location) }
    yield* store.recordPlanned([{ ...item, externalId: mapped.externalId, caseId: target.id, action: "update", runId: inputs.runId }])
    yield* store.markSent(item, inputs.runId)
    const kase = target as unknown as Readonly<Record<string, unknown>>
    const linked = yield* Effect.either(
      inputs.peach.updateCase(personId, target.id, linkUpdate(inputs.compiled.fields, kase, mapped) as CaseUpdate)
    )
    if (Either.isLeft(linked)) {
      return notCreated(target, `created in the CRM as ${crmId}; giving the target case its externalId failed (${linked.left.message}): run sync again`)
    }
    yield* store.markConfirmed(item, {
      caseId: target.id,
      // The base is what the target holds after the link (its answer), not the CRM's side of it.
      snapshot: ownedValuesOf(linked.right, Object.keys(mapped.values)),
      targetUpdatedAt: Option.getOrNull(Option.fromNullable(linked.right.updatedAt)),
      runId: inputs.runId
    })
    const done: CreatedInSource = { _tag: "Created", caseId: target.id, crmId, adopted }
    return done
  })
