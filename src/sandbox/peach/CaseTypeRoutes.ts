import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Either, Schema } from "effect"
import { CaseTypeAssociationObjectType, CaseTypeCreate, CaseTypeUpdate, IsoDate } from "../../domain/peach/index.js"
import { type ApiError, invalidField } from "../ApiError.js"
import { changeCaseTypeAssociation, createCaseType, listedCaseTypes, updateCaseType } from "./CaseTypeWrites.js"
import { decodeBody, noContent, pathParam, queryParams, singleQuery } from "./PeachHttp.js"
import { caseTypeOr404 } from "./PeachLookups.js"
import { PeachState } from "./PeachState.js"
import { itemResponse, pageResponse } from "./PeachWire.js"

type Query = Readonly<Record<string, string | ReadonlyArray<string>>>

const values = (query: Query, name: string): ReadonlyArray<string> => {
  const raw = query[name]
  if (raw === undefined) return []
  return (typeof raw === "string" ? [raw] : raw).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "")
}

/** `version` query: a positive integer, or absent. */
const versionQuery = (query: Query): Either.Either<number | undefined, ApiError> =>
  Either.flatMap(singleQuery(query, "version"), (raw) => {
    if (raw === undefined) return Either.right(undefined)
    return /^\d+$/.test(raw) && Number(raw) >= 1
      ? Either.right(Number(raw))
      : Either.left(invalidField("version", `must be a positive integer, got "${raw}"`))
  })

/** `smartReviewsEnable` query: true, false or absent. */
const booleanQuery = (query: Query, name: string): Either.Either<boolean | undefined, ApiError> =>
  Either.flatMap(singleQuery(query, name), (raw) =>
    raw === undefined
      ? Either.right(undefined)
      : raw === "true" || raw === "false"
      ? Either.right(raw === "true")
      : Either.left(invalidField(name, `must be true or false, got "${raw}"`)))

/** `objectType` / `objectId` query of case-type associations (seed 002). */
const associationQuery = (query: Query) =>
  Either.gen(function*() {
    const objectType = yield* singleQuery(query, "objectType")
    const objectId = yield* singleQuery(query, "objectId")
    if (objectType === undefined || !Schema.is(CaseTypeAssociationObjectType)(objectType)) {
      return yield* Either.left(
        invalidField("objectType", `must be one of ${CaseTypeAssociationObjectType.literals.join(", ")}`)
      )
    }
    if (objectId === undefined || !/^-?\d+$/.test(objectId)) {
      return yield* Either.left(invalidField("objectId", "must be an integer"))
    }
    return { objectType, objectId: Number(objectId) }
  })

const smartReviewsEnabled = (smartReviews: Readonly<Record<string, unknown>> | null | undefined): boolean =>
  smartReviews?.["enable"] === true

const snapshot = Effect.flatMap(PeachState, (s) => s.snapshot)

/** The Peach-style case-type routes (seed 002): versioned types, their associations and smart reviews. */
export const caseTypeRoutes = HttpRouter.empty.pipe(
  HttpRouter.post(
    "/case-types",
    Effect.gen(function*() {
      const body = yield* decodeBody(CaseTypeCreate, "case type")
      return yield* itemResponse("Case type created", "caseType", yield* Effect.flatMap(PeachState, (s) => s.write(createCaseType(body))))
    })
  ),
  HttpRouter.get(
    "/case-types",
    Effect.gen(function*() {
      const query = yield* queryParams
      const loanTypeIds = values(query, "loanTypeId")
      const smartReviews = yield* booleanQuery(query, "smartReviewsEnable")
      const items = listedCaseTypes(yield* snapshot).filter((t) =>
        (loanTypeIds.length === 0 || (t.loanTypeId != null && loanTypeIds.includes(t.loanTypeId))) &&
        (smartReviews === undefined || smartReviewsEnabled(t.smartReviews) === smartReviews)
      )
      const filters = [
        ...loanTypeIds.map((id) => ["loanTypeId", id] as const),
        ...(smartReviews === undefined ? [] : [["smartReviewsEnable", String(smartReviews)] as const])
      ]
      return yield* pageResponse("caseType", items, (t) => t.id, filters)
    })
  ),
  HttpRouter.get(
    "/case-types/:caseTypeId",
    Effect.gen(function*() {
      const version = yield* versionQuery(yield* queryParams)
      const found = yield* caseTypeOr404(yield* snapshot, yield* pathParam("caseTypeId"), version)
      return yield* itemResponse("Case type", "caseType", found)
    })
  ),
  HttpRouter.put(
    "/case-types/:caseTypeId",
    Effect.gen(function*() {
      const typeId = yield* pathParam("caseTypeId")
      const version = yield* versionQuery(yield* queryParams)
      const body = yield* decodeBody(CaseTypeUpdate, "case type update")
      const updated = yield* Effect.flatMap(PeachState, (s) => s.write(updateCaseType(typeId, version, body)))
      return yield* itemResponse(updated.status === "deprecated" ? "Case type deprecated" : "Case type version created", "caseType", updated)
    })
  ),
  HttpRouter.post(
    "/case-types/:caseTypeId/associations",
    Effect.gen(function*() {
      const typeId = yield* pathParam("caseTypeId")
      const { objectId, objectType } = yield* associationQuery(yield* queryParams)
      yield* Effect.flatMap(PeachState, (s) => s.write(changeCaseTypeAssociation(typeId, objectType, objectId, true)))
      return noContent
    })
  ),
  HttpRouter.del(
    "/case-types/:caseTypeId/associations",
    Effect.gen(function*() {
      const typeId = yield* pathParam("caseTypeId")
      const { objectId, objectType } = yield* associationQuery(yield* queryParams)
      yield* Effect.flatMap(PeachState, (s) => s.write(changeCaseTypeAssociation(typeId, objectType, objectId, false)))
      return noContent
    })
  ),
  HttpRouter.post(
    "/case-types/:caseTypeId/create-smart-review-tasks",
    Effect.gen(function*() {
      const typeId = yield* pathParam("caseTypeId")
      const found = yield* caseTypeOr404(yield* snapshot, typeId, undefined)
      const asOfDate = yield* singleQuery(yield* queryParams, "asOfDate")
      const today = new Date(yield* Clock.currentTimeMillis).toISOString().slice(0, 10)
      if (asOfDate !== undefined && !Schema.is(IsoDate)(asOfDate)) {
        return yield* invalidField("asOfDate", `must be a date YYYY-MM-DD, got "${asOfDate}"`)
      }
      if (asOfDate !== undefined && asOfDate > today) {
        return yield* invalidField("asOfDate", `cannot be in the future (today is ${today})`)
      }
      return HttpServerResponse.unsafeJson({
        status: 200,
        message: "Run successful with no reminder tasks created",
        data: { caseTypeId: found.id, asOfDate: asOfDate ?? today, smartReviewsEnabled: smartReviewsEnabled(found.smartReviews), tasksCreated: 0 }
      })
    })
  )
)
