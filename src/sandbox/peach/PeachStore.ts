import { Chunk, HashMap, Option } from "effect"
import type { ActingUser, Case, CaseType, Escalation, Person } from "../../domain/peach/index.js"
import type { PeachFixtures } from "./PeachFixtures.js"

/** A link from a case type to another object (`POST /case-types/{id}/associations`). */
export interface CaseTypeAssociation {
  readonly typeId: string
  readonly objectType: string
  readonly objectId: number
}

/**
 * Everything the Peach-style sandbox holds, as one immutable value so a write is a
 * single atomic swap. Cases are indexed (persistent maps) because a migration test
 * may create thousands; people and case types are few and kept as arrays.
 */
export interface PeachStore {
  readonly people: ReadonlyArray<Person>
  readonly personById: ReadonlyMap<string, Person>
  readonly personByExternalId: ReadonlyMap<string, Person>
  /** Every version of every case type, in creation order. */
  readonly caseTypes: ReadonlyArray<CaseType>
  readonly caseTypeAssociations: ReadonlyArray<CaseTypeAssociation>
  readonly cases: HashMap.HashMap<string, Case>
  /** Case ids in creation order (lists are served by id, see `PeachWire.byId`). */
  readonly caseOrder: Chunk.Chunk<string>
  readonly caseIdByExternalId: HashMap.HashMap<string, string>
  /** Escalation requests per case id, oldest first. */
  readonly escalations: HashMap.HashMap<string, ReadonlyArray<Escalation>>
  /** Last timestamp handed out, so two writes in one millisecond still get distinct, ordered stamps. */
  readonly lastStampMs: number
}

/** The company every sandbox case belongs to. */
export const sandboxCompanyId = "CP-SAND-B0X1"

/** The user every API call acts as (an API key or token belongs to a service user). */
export const sandboxApiUser: ActingUser = {
  id: "UR-SAND-API1",
  name: "Sandbox API user",
  userType: "service",
  descriptor: "Peach Service User",
  employee: null
}

/** A store holding the fixtures. */
export const makeStore = (fixtures: PeachFixtures): PeachStore => ({
  people: fixtures.people,
  personById: new Map(fixtures.people.map((p) => [p.id, p])),
  personByExternalId: new Map(
    fixtures.people.flatMap((p) => p.externalId == null ? [] : [[p.externalId, p] as const])
  ),
  caseTypes: fixtures.caseTypes,
  caseTypeAssociations: [],
  cases: HashMap.fromIterable(fixtures.cases.map((c) => [c.id, c] as const)),
  caseOrder: Chunk.fromIterable(fixtures.cases.map((c) => c.id)),
  caseIdByExternalId: HashMap.fromIterable(
    fixtures.cases.flatMap((c) => c.externalId == null ? [] : [[c.externalId, c.id] as const])
  ),
  escalations: HashMap.empty(),
  lastStampMs: 0
})

/** The lender's id inside an `ext-<externalId>` path segment, if it is one. */
export const externalIdOf = (ref: string): Option.Option<string> =>
  ref.startsWith("ext-") ? Option.some(ref.slice(4)) : Option.none()

/** A borrower by Peach id or `ext-<externalId>`. */
export const findPerson = (store: PeachStore, ref: string): Option.Option<Person> =>
  Option.match(externalIdOf(ref), {
    onNone: () => Option.fromNullable(store.personById.get(ref)),
    onSome: (externalId) => Option.fromNullable(store.personByExternalId.get(externalId))
  })

/** A case by Peach id or `ext-<externalId>`, whoever it belongs to. */
export const findCase = (store: PeachStore, ref: string): Option.Option<Case> =>
  Option.flatMap(
    Option.match(externalIdOf(ref), {
      onNone: () => Option.some(ref),
      onSome: (externalId) => HashMap.get(store.caseIdByExternalId, externalId)
    }),
    (id) => HashMap.get(store.cases, id)
  )

/** Every case, in creation order. */
export const allCases = (store: PeachStore): ReadonlyArray<Case> =>
  Chunk.toReadonlyArray(store.caseOrder).map((id) => HashMap.unsafeGet(store.cases, id))

/** The case with its id, externalId index kept in step (`previous` is the version it replaces). */
export const putCase = (store: PeachStore, next: Case, previous?: Case): PeachStore => {
  let byExternalId = store.caseIdByExternalId
  if (previous?.externalId != null && previous.externalId !== next.externalId) {
    byExternalId = HashMap.remove(byExternalId, previous.externalId)
  }
  if (next.externalId != null) byExternalId = HashMap.set(byExternalId, next.externalId, next.id)
  return {
    ...store,
    cases: HashMap.set(store.cases, next.id, next),
    caseOrder: previous === undefined ? Chunk.append(store.caseOrder, next.id) : store.caseOrder,
    caseIdByExternalId: byExternalId
  }
}

/** Versions of one case type, oldest first. */
export const typeVersions = (store: PeachStore, typeId: string): ReadonlyArray<CaseType> =>
  store.caseTypes.filter((t) => t.id === typeId).sort((a, b) => versionOf(a) - versionOf(b))

/** A type's version number; the sandbox always writes one, a fixture may leave it out (then 1). */
export const versionOf = (caseType: CaseType): number => caseType.version ?? 1

/** The version new cases of a type are created with, if any. */
export const activeVersion = (store: PeachStore, typeId: string): Option.Option<CaseType> =>
  Option.fromNullable(typeVersions(store, typeId).find((t) => t.status === "active"))

/**
 * A strictly increasing UTC timestamp (`2024-03-10T13:15:00.123Z`) for a write at
 * `nowMs`: never equal to the previous one, so `updatedAt` always moves on a change.
 */
export const stamp = (store: PeachStore, nowMs: number): readonly [string, PeachStore] => {
  const ms = Math.max(nowMs, store.lastStampMs + 1)
  return [new Date(ms).toISOString(), { ...store, lastStampMs: ms }]
}
