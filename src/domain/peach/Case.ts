import { Schema } from "effect"
import {
  AssociationObjectType,
  CaseOutcome,
  CaseStatus,
  CourtCaseChapter,
  CourtCaseDebtorDisposition,
  CourtCaseLastStatus,
  CreationProcedure,
  MatchDoneBy,
  MatchLevel,
  UserType
} from "./Enums.js"
import { IsoDate, JsonObject, nullable, OffsetDateTime , openStruct } from "./Primitives.js"

/** The user who performed an action on a case (seed 001, `createdByUser` and friends). */
export const ActingUser = Schema.Struct({
  id: Schema.String,
  name: nullable(Schema.String),
  userType: UserType,
  descriptor: nullable(Schema.String),
  employee: nullable(Schema.Struct({ id: Schema.String }))
})
export type ActingUser = typeof ActingUser.Type

/** How a borrower matched a monitoring data source (seed 001). */
export const MatchDetails = Schema.Struct({
  ssnMatch: Schema.optional(MatchLevel),
  last4SSNMatch: Schema.optional(MatchLevel),
  nameMatch: Schema.optional(MatchLevel),
  addressMatch: Schema.optional(MatchLevel),
  dateOfBirthMatch: Schema.optional(MatchLevel),
  matchDoneBy: Schema.optional(MatchDoneBy),
  externalMatchCode: nullable(Schema.String)
})
export type MatchDetails = typeof MatchDetails.Type

/** A link from a case to another object (seed 000). */
export const CaseAssociation = Schema.Struct({
  objectType: AssociationObjectType,
  objectId: Schema.String
})
export type CaseAssociation = typeof CaseAssociation.Type

/** Summary of the case-type version that produced a case (seed 001). */
export const CaseTypeMeta = Schema.Struct({
  base: Schema.optional(Schema.String),
  id: Schema.String,
  name: Schema.optional(Schema.String),
  derivedFromTypeId: nullable(Schema.String),
  version: Schema.optional(Schema.Int)
})
export type CaseTypeMeta = typeof CaseTypeMeta.Type

/** The owning employee summary (seed 001). */
export const OwningEmployee = Schema.Struct({
  id: Schema.String,
  displayName: Schema.String,
  twilioWorkerSid: Schema.optional(Schema.String)
})

/** Keyword fields unique to bankruptcy cases (seed 000), accepted on create, update and read. */
export const BankruptcyFields = {
  caseType: Schema.optional(Schema.Literal("bankruptcy")),
  courtCaseFiledDate: nullable(IsoDate),
  courtCaseNumber: nullable(Schema.String),
  courtCaseChapter: nullable(CourtCaseChapter),
  courtCaseDebtorDisposition: nullable(CourtCaseDebtorDisposition),
  courtCaseDebtorDispositionDate: nullable(IsoDate),
  courtCaseLastStatus: nullable(CourtCaseLastStatus),
  courtCaseLastStatusUpdatedDate: nullable(IsoDate),
  courtCaseClosedDate: nullable(IsoDate),
  creditorClaimDeadlineDate: nullable(IsoDate),
  anticipatedCaseCompletionDate: nullable(IsoDate),
  listedOutstandingDebt: nullable(Schema.Boolean)
} as const

/** Fields a lender may write on create and on update (seed 000 request bodies). */
const writableFields = {
  externalId: nullable(Schema.String.pipe(Schema.minLength(1))),
  people: Schema.optional(Schema.Array(Schema.String)),
  borrowerIds: Schema.optional(Schema.Array(Schema.String)),
  name: Schema.optional(Schema.String),
  creationProcedure: nullable(CreationProcedure),
  owningEmployeeId: nullable(Schema.String),
  autoCreated: Schema.optional(Schema.Boolean),
  status: Schema.optional(CaseStatus),
  outcome: nullable(CaseOutcome),
  matchToDataSource: nullable(Schema.Boolean),
  matchDetails: Schema.optional(MatchDetails),
  lenderAck: nullable(Schema.Boolean),
  customFields: nullable(JsonObject),
  metaData: nullable(JsonObject),
  workflowId: nullable(Schema.String),
  escalatedAt: nullable(OffsetDateTime),
  escalatedTeamId: nullable(Schema.String),
  escalatedEmployeeId: nullable(Schema.String),
  escalationIsUrgent: nullable(Schema.Boolean),
  associations: nullable(Schema.Array(CaseAssociation)),
  openedAt: nullable(OffsetDateTime),
  ...BankruptcyFields
} as const

/**
 * Body of `POST /people/{personId}/cases` (seed 000). `typeId` picks the case type;
 * `externalId` is sent WITHOUT the `ext-` prefix; `openedAt` must carry an offset.
 * Server-assigned fields (id, createdAt, updatedAt, deletedAt) are not part of it.
 */
export const CaseCreate = Schema.Struct({
  typeId: Schema.String,
  createReviewTask: Schema.optional(Schema.Boolean),
  ...writableFields
})
export type CaseCreate = typeof CaseCreate.Type

/** Body of `PUT /people/{personId}/cases/{caseId}` (seed 000): every field optional. */
export const CaseUpdate = Schema.Struct({
  typeId: Schema.optional(Schema.String),
  createReviewTask: Schema.optional(Schema.Boolean),
  ...writableFields
})
export type CaseUpdate = typeof CaseUpdate.Type

/**
 * A case as the API returns it (seed 001, every field with its type and nullability).
 * Decoded for what casesync uses: `id`, `typeId`, `status`, `externalId`, the borrower
 * (`borrowerIds` / `people`), `updatedAt`, `deletedAt` and the writable fields are
 * checked; every other field may be absent, and fields the seeds do not name are kept.
 */
export const Case = openStruct({
  ...writableFields,
  id: Schema.String,
  object: Schema.optional(Schema.Literal("case")),
  createdAt: Schema.optional(OffsetDateTime),
  updatedAt: nullable(OffsetDateTime),
  deletedAt: nullable(OffsetDateTime),
  // A stored externalId is whatever the server holds; the non-empty rule is for writes.
  externalId: nullable(Schema.String),
  // The borrower may be named in either list (or both); an absent list is an empty one.
  people: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  borrowerIds: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  name: Schema.optional(Schema.String),
  status: CaseStatus,
  typeId: Schema.String,
  companyId: Schema.optional(Schema.String),
  caseTypeMeta: Schema.optional(CaseTypeMeta),
  createdByUser: nullable(ActingUser),
  statusUpdatedAt: nullable(OffsetDateTime),
  statusUpdatedBy: nullable(ActingUser),
  outcomeUpdatedAt: nullable(OffsetDateTime),
  outcomeUpdatedBy: nullable(ActingUser),
  snoozedAt: nullable(OffsetDateTime),
  snoozedUntil: nullable(IsoDate),
  creatingSupercaseId: nullable(Schema.String),
  lastViewedAt: nullable(OffsetDateTime),
  lastViewedBy: nullable(ActingUser),
  lastSubresourceUpdatedAt: nullable(OffsetDateTime),
  lastSubresourceUpdatedBy: nullable(ActingUser),
  owningEmployee: nullable(OwningEmployee)
})
export type Case = typeof Case.Type

/** Body of `POST .../cases/{caseId}/associations` (seed 000). */
export const AddAssociation = Schema.Struct({
  objectType: AssociationObjectType,
  objectId: Schema.String,
  relation: Schema.optional(Schema.String)
})
export type AddAssociation = typeof AddAssociation.Type

/** Body of `POST .../cases/{caseId}/escalations` (seed 000): escalate, or de-escalate with both targets null. */
export const EscalationRequest = Schema.Struct({
  escalatedTeamId: nullable(Schema.String),
  escalatedEmployeeId: nullable(Schema.String),
  note: nullable(Schema.String),
  isUrgent: Schema.optional(Schema.Boolean)
})
export type EscalationRequest = typeof EscalationRequest.Type

/** One escalation of a case (seed 000, "List case escalations"): the fields of the request that made it. */
export const Escalation = Schema.Struct(EscalationRequest.fields)
export type Escalation = typeof Escalation.Type

/** An active escalation across the company (seed 000), naming its case. */
export const CompanyEscalation = Schema.Struct({
  ...Escalation.fields,
  caseId: Schema.String,
  caseName: Schema.String,
  escalationTargetName: nullable(Schema.String)
})
export type CompanyEscalation = typeof CompanyEscalation.Type

/** Body of `POST .../cases/{caseId}/snooze` (seed 000): snooze for N days (at least 1). */
export const SnoozeRequest = Schema.Struct({
  snoozeFor: Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))
})
export type SnoozeRequest = typeof SnoozeRequest.Type
