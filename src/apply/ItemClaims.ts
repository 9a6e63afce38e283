import { Option } from "effect"
import { ledgerIdentityProblem } from "../plan/LedgerIdentity.js"
import { bodyDigestOf } from "../plan/BodyReference.js"
import type { PlanItem, PlannedCreate } from "../plan/Plan.js"
import { formatLocation } from "../sources/SourceRecord.js"
import type { LedgerEntry } from "../state/LedgerEntry.js"

/** An item apply must not write, decided before any request: the field at fault and why. */
export interface Refusal {
  readonly field: string
  readonly detail: string
}

/** What the ledger already holds for a batch of items, and the run that applies them. */
export interface LedgerView {
  readonly runId: string
  readonly byKey: ReadonlyMap<string, LedgerEntry>
  readonly byExternalId: ReadonlyMap<string, LedgerEntry>
}

/**
 * A body that is not the one the plan was made with: a create whose body apply made again from
 * the source (`SourceBodies.ts`) and whose digest is not the one the plan recorded, because the
 * source or the mapping gives another case now, or none.
 */
const notThePlannedBody = (item: PlannedCreate): Option.Option<Refusal> => {
  if (item.bodyDigest === undefined) return Option.none()
  const where = formatLocation(item.location)
  if (Object.keys(item.body).length === 0) {
    return Option.some({
      field: "(body)",
      detail: `no case could be made again from ${where} (no record there now, or the mapping rejects it): not sent; make a new plan`
    })
  }
  const now = bodyDigestOf(item.body)
  return now === item.bodyDigest ? Option.none() : Option.some({
    field: "(body)",
    detail: `the body made again from ${where} is not the one planned (digest ${item.bodyDigest}, now ${now}): the source or the mapping changed since the plan; not sent, make a new plan`
  })
}

/**
 * A body that would write another externalId than the item's own: a create would land under an
 * id nothing looks for (and may hit another record's case with a 409), an update would re-key the case.
 * A create made again from the source must first be the planned body.
 */
export const bodyMismatch = (item: PlanItem): Option.Option<Refusal> => {
  if (item._tag !== "create" && item._tag !== "update") return Option.none()
  if (item._tag === "create") {
    const changed = notThePlannedBody(item)
    if (Option.isSome(changed)) return changed
  }
  const written = item.body["externalId"]
  if (item._tag === "update" && written === undefined) return Option.none()
  return written === item.externalId
    ? Option.none()
    : Option.some({
      field: "externalId",
      detail: `the plan's body writes externalId ${JSON.stringify(written ?? null)}, but the item is for ${item.externalId}: not sent`
    })
}

/**
 * Decides, in plan order, which items of a batch may take their ledger row, and refuses the
 * others per item: a body that does not match its externalId, a key or externalId the ledger links
 * otherwise (`ledgerIdentityProblem`), or a key or externalId an earlier item of this run already
 * took (a duplicate in the plan). Rejects take no row. Pure: the caller reads the ledger and writes.
 */
export const claimRows = (
  items: ReadonlyArray<PlanItem>,
  ledger: LedgerView
): ReadonlyArray<Option.Option<Refusal>> => {
  const keys = new Map<string, string>()
  const externalIds = new Map<string, string>()
  return items.map((item) => {
    if (item._tag === "reject") return Option.none()
    const mismatch = bodyMismatch(item)
    if (Option.isSome(mismatch)) return mismatch
    const byKey = ledger.byKey.get(item.sourceKey)
    const identity = ledgerIdentityProblem(item, byKey, ledger.byExternalId.get(item.externalId))
    if (Option.isSome(identity)) return Option.some({ field: identity.value.field, detail: identity.value.reason })
    const location = formatLocation(item.location)
    const earlier = keys.get(item.sourceKey) ??
      (byKey !== undefined && byKey.runId === ledger.runId && byKey.location !== location ? byKey.location ?? undefined : undefined)
    if (earlier !== undefined) {
      return Option.some({ field: "key", detail: `source key ${item.sourceKey} is already applied from ${earlier} in this run: not sent` })
    }
    const earlierExternalId = externalIds.get(item.externalId)
    if (earlierExternalId !== undefined) {
      return Option.some({ field: "externalId", detail: `externalId ${item.externalId} is already applied from ${earlierExternalId} in this run: not sent` })
    }
    keys.set(item.sourceKey, location)
    externalIds.set(item.externalId, location)
    return Option.none()
  })
}
