import { Effect, Stream } from "effect"
import type { Case } from "../domain/peach/Case.js"
import type { Person } from "../domain/peach/Person.js"
import type { TargetCase } from "./Decide.js"
import { ownedValuesOf } from "./FieldValues.js"
import type { PlanScratch } from "./PlanScratch.js"

/** Finds the target case of an externalId: a Map in memory, or the plan's scratch store on disk. */
export interface TargetLookup {
  readonly get: (externalId: string) => TargetCase | undefined
  /** The target cases of many externalIds at once (one query for a batch of records, not one each). */
  readonly getMany: (externalIds: ReadonlyArray<string>) => ReadonlyMap<string, TargetCase>
}

/** A lookup over an index held in memory. */
const lookupIn = (index: ReadonlyMap<string, TargetCase>): TargetLookup => ({
  get: (externalId) => index.get(externalId),
  getMany: (externalIds) => {
    const found = new Map<string, TargetCase>()
    for (const externalId of externalIds) {
      const kase = index.get(externalId)
      if (kase !== undefined) found.set(externalId, kase)
    }
    return found
  }
})

/**
 * The target's cases indexed by externalId, read once with list calls: the planner's
 * and the applier's only view of the target, so no record costs a lookup request.
 * Only what decisions need is kept (owned values and the nested objects an update
 * must merge), so the index stays small on large companies.
 */
export interface TargetIndex {
  readonly byExternalId: TargetLookup
  readonly size: number
}

/** The nested objects of the owned fields (`customFields`, `metaData`): kept whole, so an update can merge them. */
export const nestedHeadsOf = (ownedFields: ReadonlyArray<string>): ReadonlyArray<string> =>
  [...new Set(ownedFields.filter((f) => f.includes(".")).map((f) => f.split(".")[0]!))]

/** What decisions need of one listed case; none for a case without externalId or deleted. */
export const targetCaseOf = (
  kase: Case,
  ownedFields: ReadonlyArray<string>,
  nestedHeads: ReadonlyArray<string> = nestedHeadsOf(ownedFields)
): TargetCase | undefined => {
  if (kase.externalId === null || kase.externalId === undefined || kase.deletedAt) return undefined
  const raw: Record<string, unknown> = {}
  for (const head of nestedHeads) raw[head] = (kase as Record<string, unknown>)[head] ?? null
  return {
    caseId: kase.id,
    personIds: [...new Set([...kase.borrowerIds, ...kase.people])],
    updatedAt: kase.updatedAt ?? null,
    raw,
    values: ownedValuesOf(kase, ownedFields)
  }
}

/** Builds the index of the target's cases in memory, keeping the owned fields of `ownedFields`. */
export const indexTargetCases = <E, R>(
  cases: Stream.Stream<Case, E, R>,
  ownedFields: ReadonlyArray<string>
): Effect.Effect<TargetIndex, E, R> => {
  const nestedHeads = nestedHeadsOf(ownedFields)
  return Stream.runFold(cases, new Map<string, TargetCase>(), (index, kase) => {
    const target = targetCaseOf(kase, ownedFields, nestedHeads)
    if (target !== undefined) index.set(kase.externalId!, target)
    return index
  }).pipe(Effect.map((byExternalId) => ({ byExternalId: lookupIn(byExternalId), size: byExternalId.size })))
}

/**
 * Builds the same index in the plan's scratch store, a list page at a time, so the heap
 * does not grow with the target (what `plan` uses). A target of at most `heldInMemory` cases
 * (about 2 KB each) is then read back into memory, so records need no query to look theirs up.
 */
export const indexTargetCasesIn = <E, R>(
  scratch: PlanScratch,
  cases: Stream.Stream<Case, E, R>,
  ownedFields: ReadonlyArray<string>,
  heldInMemory = 1_000
): Effect.Effect<TargetIndex, E, R> => {
  const nestedHeads = nestedHeadsOf(ownedFields)
  return Stream.runForEachChunk(cases, (chunk) =>
    Effect.sync(() => {
      const rows: Array<readonly [string, TargetCase]> = []
      for (const kase of chunk) {
        const target = targetCaseOf(kase, ownedFields, nestedHeads)
        if (target !== undefined) rows.push([kase.externalId!, target])
      }
      scratch.putTargets(rows)
    })).pipe(Effect.map(() => {
      const size = scratch.targetCount()
      // A first migration's target is empty or nearly so: no query per batch of records then.
      return {
        byExternalId: size <= heldInMemory
          ? lookupIn(size === 0 ? new Map() : scratch.allTargets())
          : { get: scratch.getTarget, getMany: scratch.getTargets },
        size
      }
    }))
}

/** The target's borrowers, to resolve a mapping's borrower reference without a request per record. */
export interface BorrowerIndex {
  /** Peach person id for a borrower's externalId. */
  readonly byExternalId: ReadonlyMap<string, string>
  readonly ids: ReadonlySet<string>
}

/** Builds the borrower index from one walk of the people list. */
export const indexBorrowers = <E, R>(people: Stream.Stream<Person, E, R>): Effect.Effect<BorrowerIndex, E, R> =>
  Stream.runFold(people, { byExternalId: new Map<string, string>(), ids: new Set<string>() }, (index, person) => {
    index.ids.add(person.id)
    if (person.externalId) index.byExternalId.set(person.externalId, person.id)
    return index
  })

/** A mapping's reference to the borrower of a case. */
export type BorrowerRef = { readonly externalId: string } | { readonly id: string }

/** Resolves a borrower reference to a Peach person id, or says why it cannot. */
export const resolveBorrower = (
  index: BorrowerIndex,
  ref: BorrowerRef
): { readonly _tag: "Found"; readonly personId: string } | { readonly _tag: "Missing"; readonly reason: string } => {
  if ("id" in ref) {
    return index.ids.has(ref.id)
      ? { _tag: "Found", personId: ref.id }
      : { _tag: "Missing", reason: `borrower ${ref.id} does not exist in the target` }
  }
  const personId = index.byExternalId.get(ref.externalId)
  return personId === undefined
    ? { _tag: "Missing", reason: `no borrower with externalId ${ref.externalId} (ext-${ref.externalId}) in the target` }
    : { _tag: "Found", personId }
}
