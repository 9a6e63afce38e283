import { Either, HashMap, Option } from "effect"
import {
  BankruptcyFields,
  type Case,
  type CaseCreate,
  type CaseType,
  type CaseUpdate,
  type Person
} from "../../domain/peach/index.js"
import { type ApiError, conflict, type FieldError, invalid, invalidField } from "../ApiError.js"
import { checkCustomFields } from "./CustomFields.js"
import { activeTypeOr400, caseOr404, personOr404, versionOfCase } from "./PeachLookups.js"
import type { Write } from "./PeachState.js"
import { findPerson, type PeachStore, putCase, sandboxApiUser, sandboxCompanyId } from "./PeachStore.js"

const bankruptcyKeys = Object.keys(BankruptcyFields) as ReadonlyArray<keyof typeof BankruptcyFields>

/** An instant with any offset, as the server stores it: UTC with milliseconds and `Z`. */
export const toUtc = (dateTime: string): string => new Date(Date.parse(dateTime)).toISOString()

/** Equality of two JSON values (key order ignored), to tell an effective update from a no-op. */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a).filter((k) => (a as any)[k] !== undefined)
  const kb = Object.keys(b).filter((k) => (b as any)[k] !== undefined)
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as any)[k], (b as any)[k]))
}

const caseTypeMetaOf = (type: CaseType): NonNullable<Case["caseTypeMeta"]> => ({
  base: type.caseType,
  id: type.id,
  name: type.name,
  derivedFromTypeId: type.derivedFromTypeId ?? null,
  version: type.version
})

const customFieldsOr400 = (values: Readonly<Record<string, unknown>> | null | undefined, type: CaseType) =>
  Either.mapLeft(checkCustomFields(values, type), (errors) =>
    invalid(`Invalid customFields: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`, errors))

/** Bankruptcy keyword fields (seed 000) are refused on a case whose type is not based on `bankruptcy`. */
const bankruptcyFieldsOr400 = (body: CaseUpdate, type: CaseType): Either.Either<void, ApiError> => {
  if (type.caseType === "bankruptcy") return Either.void
  const given = bankruptcyKeys.filter((k) => body[k] !== undefined && body[k] !== null)
  const errors: ReadonlyArray<FieldError> = given.map((field) => ({
    field,
    message: `only cases of a bankruptcy case type have it; case type ${type.id} is ${type.caseType}`
  }))
  return errors.length === 0 ? Either.void : Either.left(invalid(`Invalid case: bankruptcy fields on a ${type.caseType} case`, errors))
}

/** The case's borrowers: the path's borrower first, then any others the body names (each must exist). */
const borrowersOr400 = (
  store: PeachStore,
  person: Person,
  body: Pick<CaseUpdate, "people" | "borrowerIds">
): Either.Either<ReadonlyArray<string>, ApiError> => {
  const ids = [person.id]
  const errors: Array<FieldError> = []
  for (const field of ["people", "borrowerIds"] as const) {
    ;(body[field] ?? []).forEach((ref, index) => {
      Option.match(findPerson(store, ref), {
        onNone: () => errors.push({ field: `${field}.${index}`, message: `no person ${ref}` }),
        onSome: (p) => {
          if (!ids.includes(p.id)) ids.push(p.id)
        }
      })
    })
  }
  return errors.length > 0 ? Either.left(invalid("Invalid case: unknown borrowers", errors)) : Either.right(ids)
}

const externalIdFreeOr409 = (store: PeachStore, externalId: string, self?: string): Either.Either<void, ApiError> =>
  Option.match(Option.filter(HashMap.get(store.caseIdByExternalId, externalId), (id) => id !== self), {
    onNone: () => Either.void,
    onSome: (id) =>
      Either.left(conflict(`A case with externalId ${externalId} already exists: ${id}`, [{
        field: "externalId",
        message: `already used by case ${id}`
      }]))
  })

/** Fields a body may set as they are (the rest get dedicated rules below). */
const plainFields = [
  "creationProcedure",
  "owningEmployeeId",
  "autoCreated",
  "status",
  "outcome",
  "matchToDataSource",
  "matchDetails",
  "lenderAck",
  "metaData",
  "workflowId",
  "escalatedTeamId",
  "escalatedEmployeeId",
  "escalationIsUrgent",
  "associations",
  ...bankruptcyKeys
] as const

const plainChanges = (body: CaseUpdate): Partial<Case> =>
  Object.fromEntries(plainFields.flatMap((k) => body[k] === undefined ? [] : [[k, body[k]]]))

const owningEmployeeOf = (id: string | null | undefined): Case["owningEmployee"] =>
  id == null ? null : { id, displayName: `Employee ${id}` }

/**
 * `POST /people/{personId}/cases`: the borrower must exist (404); `typeId` must name a
 * type with an active version, whose name is the default `name` and whose
 * `customFieldSchemas` the `customFields` must fit (400); `externalId` must be unused
 * company-wide (409). `openedAt` is stored in UTC and defaults to `createdAt`.
 */
export const createCase = (personRef: string, body: CaseCreate): Write<Case> => (store, { freshCaseId, now }) =>
  Either.gen(function*() {
    const person = yield* personOr404(store, personRef)
    const type = yield* activeTypeOr400(store, body.typeId)
    const customFields = yield* customFieldsOr400(body.customFields, type)
    yield* bankruptcyFieldsOr400(body, type)
    const people = yield* borrowersOr400(store, person, body)
    if (body.externalId != null) yield* externalIdFreeOr409(store, body.externalId)
    const bankruptcy: Partial<Case> = type.caseType === "bankruptcy"
      ? { caseType: "bankruptcy", ...Object.fromEntries(bankruptcyKeys.filter((k) => k !== "caseType").map((k) => [k, null])) }
      : {}
    const created: Case = {
      id: freshCaseId,
      object: "case",
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      externalId: body.externalId ?? null,
      people,
      borrowerIds: people,
      name: body.name === undefined || body.name === "" ? type.name : body.name,
      companyId: sandboxCompanyId,
      caseTypeMeta: caseTypeMetaOf(type),
      creationProcedure: null,
      createdByUser: sandboxApiUser,
      owningEmployeeId: null,
      autoCreated: false,
      status: "initiated",
      statusUpdatedAt: now,
      statusUpdatedBy: sandboxApiUser,
      outcome: null,
      outcomeUpdatedAt: null,
      outcomeUpdatedBy: null,
      snoozedAt: null,
      snoozedUntil: null,
      matchToDataSource: null,
      lenderAck: null,
      customFields,
      metaData: null,
      workflowId: null,
      escalatedAt: null,
      escalatedTeamId: null,
      escalatedEmployeeId: null,
      escalationIsUrgent: null,
      associations: [],
      creatingSupercaseId: null,
      lastViewedAt: null,
      lastViewedBy: null,
      lastSubresourceUpdatedAt: now,
      lastSubresourceUpdatedBy: sandboxApiUser,
      openedAt: body.openedAt == null ? now : toUtc(body.openedAt),
      owningEmployee: owningEmployeeOf(body.owningEmployeeId),
      ...bankruptcy,
      ...plainChanges(body),
      ...(body.escalatedAt == null ? {} : { escalatedAt: toUtc(body.escalatedAt) }),
      ...(body.outcome == null ? {} : { outcomeUpdatedAt: now, outcomeUpdatedBy: sandboxApiUser }),
      typeId: type.id
    }
    return [created, putCase(store, created)] as const
  })

/**
 * `PUT /people/{personId}/cases/{caseId}`: changes the given fields. A new `externalId`
 * must be unused (409); `customFields` replace the old ones and are checked against the
 * case's own type version (or the new type's active version when `typeId` changes).
 * Only an update that changes something moves `updatedAt` (and `statusUpdatedAt` /
 * `outcomeUpdatedAt` when those change).
 */
export const updateCase = (personRef: string, caseRef: string, body: CaseUpdate): Write<Case> => (store, { now }) =>
  Either.gen(function*() {
    const person = yield* personOr404(store, personRef)
    const current = yield* caseOr404(store, person, caseRef)
    const typeChanged = body.typeId !== undefined && body.typeId !== current.typeId
    const type = typeChanged
      ? yield* activeTypeOr400(store, body.typeId!)
      : yield* Option.match(versionOfCase(store, current), {
        onNone: () => Either.left(invalidField("typeId", `the case's type ${current.typeId} no longer exists`)),
        onSome: Either.right
      })
    const customFields = body.customFields !== undefined || typeChanged
      ? yield* customFieldsOr400(body.customFields !== undefined ? body.customFields : current.customFields, type)
      : current.customFields
    yield* bankruptcyFieldsOr400(body, type)
    const people = body.people !== undefined || body.borrowerIds !== undefined
      ? yield* borrowersOr400(store, person, body)
      : undefined
    if (body.externalId != null && body.externalId !== current.externalId) {
      yield* externalIdFreeOr409(store, body.externalId, current.id)
    }

    const changed: Case = {
      ...current,
      ...plainChanges(body),
      ...(body.externalId === undefined ? {} : { externalId: body.externalId }),
      ...(people === undefined ? {} : { people, borrowerIds: people }),
      ...(body.name === undefined ? {} : { name: body.name === "" ? type.name : body.name }),
      ...(body.openedAt === undefined ? {} : { openedAt: body.openedAt === null ? current.createdAt : toUtc(body.openedAt) }),
      ...(body.escalatedAt === undefined ? {} : { escalatedAt: body.escalatedAt === null ? null : toUtc(body.escalatedAt) }),
      ...(body.owningEmployeeId === undefined ? {} : { owningEmployee: owningEmployeeOf(body.owningEmployeeId) }),
      ...(typeChanged ? { typeId: type.id, caseTypeMeta: caseTypeMetaOf(type) } : {}),
      customFields
    }
    if (jsonEqual(changed, current)) return [current, store] as const
    const updated: Case = {
      ...changed,
      updatedAt: now,
      lastSubresourceUpdatedAt: now,
      lastSubresourceUpdatedBy: sandboxApiUser,
      ...(changed.status !== current.status ? { statusUpdatedAt: now, statusUpdatedBy: sandboxApiUser } : {}),
      ...(changed.outcome !== current.outcome ? { outcomeUpdatedAt: now, outcomeUpdatedBy: sandboxApiUser } : {})
    }
    return [updated, putCase(store, updated, current)] as const
  })
