import { Either } from "effect"
import type { CaseType, CaseTypeCreate, CaseTypeUpdate } from "../../domain/peach/index.js"
import { type ApiError, type FieldError, invalid, invalidField, notFound } from "../ApiError.js"
import { caseTypeOr404 } from "./PeachLookups.js"
import type { Write } from "./PeachState.js"
import { type PeachStore, versionOf } from "./PeachStore.js"

const definedFields = (body: CaseTypeUpdate): Partial<CaseType> =>
  Object.fromEntries(Object.entries(body).filter(([k, v]) => v !== undefined && k !== "copyOf" && k !== "status"))

/** Custom field definitions must have distinct names, and an enum must list its values. */
const schemasOr400 = (body: CaseTypeUpdate): Either.Either<void, ApiError> => {
  const errors: Array<FieldError> = []
  const seen = new Set<string>()
  ;(body.customFieldSchemas ?? []).forEach((definition, index) => {
    if (seen.has(definition.name)) {
      errors.push({ field: `customFieldSchemas.${index}.name`, message: `duplicate custom field ${definition.name}` })
    }
    seen.add(definition.name)
    if (definition.type === "enum" && (definition.values ?? []).length === 0) {
      errors.push({ field: `customFieldSchemas.${index}.values`, message: "an enum custom field must list its values" })
    }
  })
  return errors.length === 0 ? Either.void : Either.left(invalid("Invalid customFieldSchemas", errors))
}

const nextTypeId = (store: PeachStore): string =>
  String(store.caseTypes.reduce((max, t) => Math.max(max, Number.parseInt(t.id, 10) || 0), 100) + 1)

/**
 * A new version of `base`'s type: `base` with the body's fields, numbered after the
 * latest version. When it is active, the previously active version becomes deprecated
 * (one active version per type); cases keep the version they were created with.
 */
const newVersion = (store: PeachStore, base: CaseType, body: CaseTypeUpdate, now: string) => {
  const latest = store.caseTypes.filter((t) => t.id === base.id).reduce((max, t) => Math.max(max, versionOf(t)), 0)
  const status = body.status ?? (base.status === "deprecated" ? "draft" : base.status)
  const created: CaseType = {
    ...base,
    ...definedFields(body),
    version: latest + 1,
    status,
    createdAt: now,
    updatedAt: null
  }
  const others = status === "active"
    ? store.caseTypes.map((t) => t.id === base.id && t.status === "active" ? { ...t, status: "deprecated" as const, updatedAt: now } : t)
    : store.caseTypes
  return [created, { ...store, caseTypes: [...others, created] }] as const
}

/**
 * Deprecates a type: every version of it becomes deprecated (so it leaves `GET
 * /case-types`) and a draft replica is spawned under a new id with `derivedFromTypeId`
 * set, to be edited and published in its place. Deprecating a deprecated type changes nothing.
 */
const deprecate = (store: PeachStore, base: CaseType, body: CaseTypeUpdate, now: string) => {
  if (store.caseTypes.every((t) => t.id !== base.id || t.status === "deprecated")) return [base, store] as const
  const caseTypes = store.caseTypes.map((t) =>
    t.id === base.id && t.status !== "deprecated" ? { ...t, status: "deprecated" as const, updatedAt: now } : t
  )
  const replica: CaseType = {
    ...base,
    ...definedFields(body),
    id: nextTypeId(store),
    version: 1,
    status: "draft",
    derivedFromTypeId: base.id,
    createdAt: now,
    updatedAt: null
  }
  const deprecated = caseTypes.find((t) => t.id === base.id && t.version === base.version)!
  return [deprecated, { ...store, caseTypes: [...caseTypes, replica] }] as const
}

/** `POST /case-types`: a new type (version 1, draft unless told), or with `copyOf` a new version of that type. */
export const createCaseType = (body: CaseTypeCreate): Write<CaseType> => (store, { now }) =>
  Either.gen(function*() {
    yield* schemasOr400(body)
    if (body.copyOf !== undefined) {
      const base = yield* Either.mapLeft(
        caseTypeOr404(store, String(body.copyOf), undefined),
        () => invalidField("copyOf", `no case type ${body.copyOf}`)
      )
      if (body.status === "deprecated") return yield* Either.left(invalidField("status", "a copy cannot start deprecated"))
      return newVersion(store, base, body, now)
    }
    if (body.status === "deprecated") return yield* Either.left(invalidField("status", "a new case type cannot start deprecated"))
    const created: CaseType = {
      id: nextTypeId(store),
      createdAt: now,
      updatedAt: null,
      deletedAt: null,
      caseType: body.caseType ?? "generic",
      name: body.name ?? "",
      description: body.description ?? "",
      status: body.status ?? "draft",
      version: 1,
      derivedFromTypeId: null,
      loanTypeId: body.loanTypeId ?? null,
      workflowTypeId: body.workflowTypeId ?? null,
      customFieldSchemas: body.customFieldSchemas ?? [],
      smartReviews: body.smartReviews ?? null
    }
    return [created, { ...store, caseTypes: [...store.caseTypes, created] }] as const
  })

/**
 * `PUT /case-types/{id}?version`: every update is a new version built on the given
 * version (default: the active one, else the latest); `status: deprecated` deprecates
 * the type instead (see `deprecate`) and answers the deprecated version.
 */
export const updateCaseType = (typeId: string, version: number | undefined, body: CaseTypeUpdate): Write<CaseType> =>
(store, { now }) =>
  Either.gen(function*() {
    const base = yield* caseTypeOr404(store, typeId, version)
    yield* schemasOr400(body)
    return body.status === "deprecated" ? deprecate(store, base, body, now) : newVersion(store, base, body, now)
  })

/** `POST` / `DELETE /case-types/{id}/associations`: links or unlinks an object (idempotent). */
export const changeCaseTypeAssociation = (
  typeId: string,
  objectType: string,
  objectId: number,
  link: boolean
): Write<void> =>
(store) =>
  Either.gen(function*() {
    if (!store.caseTypes.some((t) => t.id === typeId)) return yield* Either.left(notFound(`No case type ${typeId}`))
    const others = store.caseTypeAssociations.filter((a) =>
      !(a.typeId === typeId && a.objectType === objectType && a.objectId === objectId)
    )
    const caseTypeAssociations = link ? [...others, { typeId, objectType, objectId }] : others
    return [undefined, { ...store, caseTypeAssociations }] as const
  })

/** The version `GET /case-types` shows for each type: its latest non-deprecated one (none: hidden). */
export const listedCaseTypes = (store: PeachStore): ReadonlyArray<CaseType> =>
  [...new Set(store.caseTypes.map((t) => t.id))].flatMap((id) => {
    const visible = store.caseTypes.filter((t) => t.id === id && t.status !== "deprecated")
      .sort((a, b) => versionOf(b) - versionOf(a))[0]
    return visible === undefined ? [] : [visible]
  })
