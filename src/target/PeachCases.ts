import { Effect, Option, Stream } from "effect"
import {
  AddAssociation,
  Case,
  CaseCreate,
  CaseUpdate,
  CompanyEscalation,
  Escalation,
  EscalationRequest,
  ItemEnvelope,
  ListEnvelope,
  SnoozeRequest
} from "../domain/peach/index.js"
import type { AssociationObjectType } from "../domain/peach/index.js"
import type { HttpRequestError } from "../http/HttpRequestError.js"
import { jsonBody, type JsonApiClient } from "../http/JsonApiClient.js"
import { followCursor, type PageOptions } from "./CursorPages.js"
import { caseByExternalIdPath, casePath, casesPath } from "./PeachPaths.js"

/** Related objects `getCase` can embed (seed 001, `associations` query). */
export type CaseAssociationsQuery = "all" | "documents" | "cases" | "interactions" | "loans"

/** Optional query of `GET /people/{personId}/cases/{caseId}` (seed 001). */
export interface GetCaseOptions {
  readonly associations?: CaseAssociationsQuery | undefined
  /** Only these fields in the response (sent comma separated). */
  readonly include?: ReadonlyArray<string> | undefined
}

/** The association to remove: which kind of object and its id (seed 000). */
export interface AssociationRef {
  readonly objectType: AssociationObjectType
  readonly objectId: string
}

/** Case endpoints of the Peach-style API (seed 000/001). Ids may be `ext-<externalId>`. */
export interface PeachCaseOperations {
  /** `GET /cases`: every borrower-bound case of the company, in the server's order (no order is assumed). */
  readonly listCompanyCases: (options?: PageOptions) => Stream.Stream<Case, HttpRequestError>
  /** `GET /cases`, its first page only: those cases and how many the whole list holds (`total`; none if the server omits it). */
  readonly firstCompanyCasesPage: () => Effect.Effect<{ readonly cases: ReadonlyArray<Case>; readonly total: Option.Option<number> }, HttpRequestError>
  /** `GET /cases/escalations`: active escalations across the company. */
  readonly listCompanyEscalations: () => Effect.Effect<ReadonlyArray<CompanyEscalation>, HttpRequestError>
  /**
   * `POST /people/{personId}/cases`. Not idempotent: after a 5xx, a dropped
   * connection or a timeout it fails with `ambiguous: true` instead of retrying;
   * look the case up with `findCaseByExternalId` before sending it again.
   */
  readonly createCase: (personId: string, body: CaseCreate) => Effect.Effect<Case, HttpRequestError>
  /** `GET /people/{personId}/cases`: a borrower's cases, in the server's order. */
  readonly listBorrowerCases: (personId: string, options?: PageOptions) => Stream.Stream<Case, HttpRequestError>
  /** `GET /people/{personId}/cases/{caseId}`. */
  readonly getCase: (personId: string, caseId: string, options?: GetCaseOptions) => Effect.Effect<Case, HttpRequestError>
  /**
   * `GET /people/{personId}/cases/ext-<externalId>`: the case a lender created with
   * that externalId, or none (a 404, which an unknown borrower also answers).
   */
  readonly findCaseByExternalId: (personId: string, externalId: string) => Effect.Effect<Option.Option<Case>, HttpRequestError>
  /** `PUT /people/{personId}/cases/{caseId}`: the fields given change, the rest stay. */
  readonly updateCase: (personId: string, caseId: string, body: CaseUpdate) => Effect.Effect<Case, HttpRequestError>
  /** `POST .../associations`: links a document, case, interaction or loan to the case. */
  readonly addAssociation: (personId: string, caseId: string, body: AddAssociation) => Effect.Effect<void, HttpRequestError>
  /** `DELETE .../associations?objectType&objectId`. */
  readonly removeAssociation: (personId: string, caseId: string, association: AssociationRef) => Effect.Effect<void, HttpRequestError>
  /** `POST .../views`: marks the case viewed by the API user; harmless to repeat, so retried like a GET. */
  readonly markViewed: (personId: string, caseId: string) => Effect.Effect<void, HttpRequestError>
  /** `POST .../escalations` with a team and/or employee. */
  readonly escalate: (personId: string, caseId: string, body: EscalationRequest) => Effect.Effect<void, HttpRequestError>
  /** `POST .../escalations` with both targets null: ends the escalation. */
  readonly deEscalate: (personId: string, caseId: string, note?: string) => Effect.Effect<void, HttpRequestError>
  /** `GET .../escalations`. */
  readonly listEscalations: (personId: string, caseId: string) => Effect.Effect<ReadonlyArray<Escalation>, HttpRequestError>
  /** `POST .../snooze`: snoozes the case for `snoozeFor` days. */
  readonly snooze: (personId: string, caseId: string, body: SnoozeRequest) => Effect.Effect<void, HttpRequestError>
  /** `DELETE .../snooze`. */
  readonly cancelSnooze: (personId: string, caseId: string) => Effect.Effect<void, HttpRequestError>
}

const CaseItem = ItemEnvelope(Case)
const CaseList = ListEnvelope(Case)
const EscalationList = ListEnvelope(Escalation)
const CompanyEscalationList = ListEnvelope(CompanyEscalation)

/** Implements the case endpoints on a client bound to the Peach API. */
export const makePeachCaseOperations = (api: JsonApiClient, defaultPageSize: number): PeachCaseOperations => ({
  listCompanyCases: (options = {}) =>
    followCursor(
      api,
      { path: "/cases", item: Case, idOf: (c) => c.id },
      options.pageSize ?? defaultPageSize,
      options.startingAfter
    ).pipe(Stream.withSpan("PeachClient.listCompanyCases")),

  firstCompanyCasesPage: Effect.fn("PeachClient.firstCompanyCasesPage")(function*() {
    const page = yield* api.json({ method: "GET", path: "/cases", query: { limit: defaultPageSize } }, CaseList)
    return { cases: page.data, total: Option.fromNullable(page.total) }
  }),

  listCompanyEscalations: Effect.fn("PeachClient.listCompanyEscalations")(function*() {
    const list = yield* api.json({ method: "GET", path: "/cases/escalations" }, CompanyEscalationList)
    return list.data
  }),

  createCase: Effect.fn("PeachClient.createCase")(function*(personId: string, body: CaseCreate) {
    const item = yield* api.json(
      { method: "POST", path: casesPath(personId), body: jsonBody(CaseCreate, body), idempotent: false },
      CaseItem
    )
    return item.data
  }),

  listBorrowerCases: (personId, options = {}) =>
    followCursor(
      api,
      { path: casesPath(personId), item: Case, idOf: (c) => c.id },
      options.pageSize ?? defaultPageSize,
      options.startingAfter
    ).pipe(Stream.withSpan("PeachClient.listBorrowerCases", { attributes: { personId } })),

  getCase: Effect.fn("PeachClient.getCase")(function*(personId: string, caseId: string, options: GetCaseOptions = {}) {
    const query = { associations: options.associations, include: options.include?.join(",") }
    const item = yield* api.json({ method: "GET", path: casePath(personId, caseId), query }, CaseItem)
    return item.data
  }),

  findCaseByExternalId: Effect.fn("PeachClient.findCaseByExternalId")(function*(personId: string, externalId: string) {
    return yield* api.json({ method: "GET", path: caseByExternalIdPath(personId, externalId) }, CaseItem).pipe(
      Effect.map((item) => Option.some(item.data)),
      Effect.catchTag("NotFound", () => Effect.succeedNone)
    )
  }),

  updateCase: Effect.fn("PeachClient.updateCase")(function*(personId: string, caseId: string, body: CaseUpdate) {
    const item = yield* api.json(
      { method: "PUT", path: casePath(personId, caseId), body: jsonBody(CaseUpdate, body) },
      CaseItem
    )
    return item.data
  }),

  addAssociation: Effect.fn("PeachClient.addAssociation")(function*(personId: string, caseId: string, body: AddAssociation) {
    yield* api.noContent({
      method: "POST",
      path: `${casePath(personId, caseId)}/associations`,
      body: jsonBody(AddAssociation, body)
    })
  }),

  removeAssociation: Effect.fn("PeachClient.removeAssociation")(
    function*(personId: string, caseId: string, association: AssociationRef) {
      yield* api.noContent({
        method: "DELETE",
        path: `${casePath(personId, caseId)}/associations`,
        query: { objectType: association.objectType, objectId: association.objectId }
      })
    }
  ),

  markViewed: Effect.fn("PeachClient.markViewed")(function*(personId: string, caseId: string) {
    yield* api.noContent({ method: "POST", path: `${casePath(personId, caseId)}/views`, idempotent: true })
  }),

  escalate: Effect.fn("PeachClient.escalate")(function*(personId: string, caseId: string, body: EscalationRequest) {
    yield* api.noContent({
      method: "POST",
      path: `${casePath(personId, caseId)}/escalations`,
      body: jsonBody(EscalationRequest, body)
    })
  }),

  deEscalate: Effect.fn("PeachClient.deEscalate")(function*(personId: string, caseId: string, note?: string) {
    yield* api.noContent({
      method: "POST",
      path: `${casePath(personId, caseId)}/escalations`,
      body: jsonBody(EscalationRequest, { escalatedTeamId: null, escalatedEmployeeId: null, note: note ?? null })
    })
  }),

  listEscalations: Effect.fn("PeachClient.listEscalations")(function*(personId: string, caseId: string) {
    const list = yield* api.json({ method: "GET", path: `${casePath(personId, caseId)}/escalations` }, EscalationList)
    return list.data
  }),

  snooze: Effect.fn("PeachClient.snooze")(function*(personId: string, caseId: string, body: SnoozeRequest) {
    yield* api.noContent({
      method: "POST",
      path: `${casePath(personId, caseId)}/snooze`,
      body: jsonBody(SnoozeRequest, body)
    })
  }),

  cancelSnooze: Effect.fn("PeachClient.cancelSnooze")(function*(personId: string, caseId: string) {
    yield* api.noContent({ method: "DELETE", path: `${casePath(personId, caseId)}/snooze` })
  })
})
