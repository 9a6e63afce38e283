import { Effect, Stream } from "effect"
import {
  CaseType,
  CaseTypeAssociationObjectType,
  CaseTypeCreate,
  CaseTypeUpdate,
  IsoDate,
  ItemEnvelope,
  SmartReviewRun
} from "../domain/peach/index.js"
import type { HttpRequestError } from "../http/HttpRequestError.js"
import { jsonBody, type JsonApiClient } from "../http/JsonApiClient.js"
import { followCursor, type PageOptions } from "./CursorPages.js"
import { caseTypePath } from "./PeachPaths.js"

/** Filters of `GET /case-types` (seed 002) on top of paging. */
export interface CaseTypeListOptions extends PageOptions {
  /** Only types of these lender products (the parameter repeats). */
  readonly loanTypeId?: ReadonlyArray<string> | undefined
  /** Only types with smart review tasks enabled (true) or disabled (false). */
  readonly smartReviewsEnable?: boolean | undefined
}

/** A case type association: a do-not-interact type, notification type or loan type, by numeric id (seed 002). */
export interface CaseTypeAssociationRef {
  readonly objectType: typeof CaseTypeAssociationObjectType.Type
  readonly objectId: number
}

/** Case type endpoints of the Peach-style API (seed 002). */
export interface PeachCaseTypeOperations {
  /** `POST /case-types`: a new type (draft unless `status` says otherwise). Not retried after ambiguous failures. */
  readonly createCaseType: (body: CaseTypeCreate) => Effect.Effect<CaseType, HttpRequestError>
  /** `GET /case-types`: the latest non-deprecated version of each type. */
  readonly listCaseTypes: (options?: CaseTypeListOptions) => Stream.Stream<CaseType, HttpRequestError>
  /** `GET /case-types/{id}`: the active version (else the latest), or the given `version`. */
  readonly getCaseType: (caseTypeId: string, version?: number) => Effect.Effect<CaseType, HttpRequestError>
  /**
   * `PUT /case-types/{id}`: returns the NEW version. Every update creates a version,
   * so unlike other PUTs it is not retried after an ambiguous failure.
   */
  readonly updateCaseType: (caseTypeId: string, body: CaseTypeUpdate, version?: number) => Effect.Effect<CaseType, HttpRequestError>
  /** `POST /case-types/{id}/associations?objectType&objectId`. */
  readonly addCaseTypeAssociation: (caseTypeId: string, association: CaseTypeAssociationRef) => Effect.Effect<void, HttpRequestError>
  /** `DELETE /case-types/{id}/associations?objectType&objectId`. */
  readonly removeCaseTypeAssociation: (caseTypeId: string, association: CaseTypeAssociationRef) => Effect.Effect<void, HttpRequestError>
  /** `POST /case-types/{id}/create-smart-review-tasks[?asOfDate]`: runs smart reviews as of a date (not in the future). */
  readonly createSmartReviewTasks: (caseTypeId: string, asOfDate?: IsoDate) => Effect.Effect<SmartReviewRun, HttpRequestError>
}

/** The body `create-smart-review-tasks` answers with. */
export type SmartReviewRun = typeof SmartReviewRun.Type

const CaseTypeItem = ItemEnvelope(CaseType)

/** Implements the case type endpoints on a client bound to the Peach API. */
export const makePeachCaseTypeOperations = (api: JsonApiClient, defaultPageSize: number): PeachCaseTypeOperations => ({
  createCaseType: Effect.fn("PeachClient.createCaseType")(function*(body: CaseTypeCreate) {
    const item = yield* api.json({ method: "POST", path: "/case-types", body: jsonBody(CaseTypeCreate, body) }, CaseTypeItem)
    return item.data
  }),

  listCaseTypes: (options = {}) =>
    followCursor(
      api,
      {
        path: "/case-types",
        query: { loanTypeId: options.loanTypeId, smartReviewsEnable: options.smartReviewsEnable },
        item: CaseType,
        idOf: (t) => t.id
      },
      options.pageSize ?? defaultPageSize,
      options.startingAfter
    ).pipe(Stream.withSpan("PeachClient.listCaseTypes")),

  getCaseType: Effect.fn("PeachClient.getCaseType")(function*(caseTypeId: string, version?: number) {
    const item = yield* api.json({ method: "GET", path: caseTypePath(caseTypeId), query: { version } }, CaseTypeItem)
    return item.data
  }),

  updateCaseType: Effect.fn("PeachClient.updateCaseType")(
    function*(caseTypeId: string, body: CaseTypeUpdate, version?: number) {
      const item = yield* api.json(
        {
          method: "PUT",
          path: caseTypePath(caseTypeId),
          query: { version },
          body: jsonBody(CaseTypeUpdate, body),
          idempotent: false
        },
        CaseTypeItem
      )
      return item.data
    }
  ),

  addCaseTypeAssociation: Effect.fn("PeachClient.addCaseTypeAssociation")(
    function*(caseTypeId: string, association: CaseTypeAssociationRef) {
      yield* api.noContent({
        method: "POST",
        path: `${caseTypePath(caseTypeId)}/associations`,
        query: { objectType: association.objectType, objectId: association.objectId }
      })
    }
  ),

  removeCaseTypeAssociation: Effect.fn("PeachClient.removeCaseTypeAssociation")(
    function*(caseTypeId: string, association: CaseTypeAssociationRef) {
      yield* api.noContent({
        method: "DELETE",
        path: `${caseTypePath(caseTypeId)}/associations`,
        query: { objectType: association.objectType, objectId: association.objectId }
      })
    }
  ),

  createSmartReviewTasks: Effect.fn("PeachClient.createSmartReviewTasks")(function*(caseTypeId: string, asOfDate?: IsoDate) {
    return yield* api.json(
      { method: "POST", path: `${caseTypePath(caseTypeId)}/create-smart-review-tasks`, query: { asOfDate } },
      SmartReviewRun
    )
  })
})
