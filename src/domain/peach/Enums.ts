import { Schema } from "effect"

/** Case status (seed 001): where the lender's process stands. */
export const CaseStatus = Schema.Literal("initiated", "processing", "completed", "canceled", "reopened")
export type CaseStatus = typeof CaseStatus.Type

/** Case outcome (seed 001). */
export const CaseOutcome = Schema.Literal("approved", "denied", "falsePositive", "noOutcome")
export type CaseOutcome = typeof CaseOutcome.Type

/** Which automated procedure created a case (seed 001). */
export const CreationProcedure = Schema.Literal(
  "automatedCollectionsDetection",
  "automatedOfacDetection",
  "automatedBankruptcyDetection",
  "automatedDeceasedDetection",
  "automatedScraDetection",
  "supercasePopulationCommit"
)
export type CreationProcedure = typeof CreationProcedure.Type

/** How well a borrower matched a monitoring hit (seed 001, `matchDetails.*Match`). */
export const MatchLevel = Schema.Literal("match", "partialMatch", "noMatch", "notApplicable")
export type MatchLevel = typeof MatchLevel.Type

/** Who did the matching (seed 001, `matchDetails.matchDoneBy`). */
export const MatchDoneBy = Schema.Literal("dataVendor", "peach")

/** Kind of user that performed an action (seed 001). */
export const UserType = Schema.Literal("agent", "borrower", "service")

/** Base case types (seed 002, `BaseCaseType`). */
export const BaseCaseType = Schema.Literal(
  "generic",
  "bankruptcy",
  "ceaseCommunication",
  "collection",
  "deceased",
  "disputeOfDebt",
  "federalEmergency",
  "identityTheft",
  "legalAction",
  "militaryDuty",
  "debtValidation",
  "oFACSanctionedIndividual",
  "disputeOfPurchase",
  "creditBureauDispute"
)
export type BaseCaseType = typeof BaseCaseType.Type

/** Case type lifecycle (seed 002). */
export const CaseTypeStatus = Schema.Literal("draft", "active", "deprecated")
export type CaseTypeStatus = typeof CaseTypeStatus.Type

/**
 * Bankruptcy chapter. The seed shows only `chapter7`; the other values are the
 * remaining chapters of the US Bankruptcy Code under which an individual or
 * business files (9, 11, 12, 13, 15).
 */
export const CourtCaseChapter = Schema.Literal("chapter7", "chapter9", "chapter11", "chapter12", "chapter13", "chapter15")

/**
 * Debtor disposition of a bankruptcy. The seed shows `dismissed`; the others are the
 * dispositions US courts record (PACER).
 */
export const CourtCaseDebtorDisposition = Schema.Literal("dismissed", "discharged", "converted", "closed", "transferred")

/** Last court status of a bankruptcy. The seed shows `filed`; the others follow a case's docket. */
export const CourtCaseLastStatus = Schema.Literal("filed", "dismissed", "discharged", "converted", "closed", "reopened", "transferred")

/** Kinds of object a case can be associated with (seed 000/001: documents, cases, interactions, loans). */
export const AssociationObjectType = Schema.Literal("document", "case", "interaction", "loan")
export type AssociationObjectType = typeof AssociationObjectType.Type

/** Kinds of object a case type can be associated with (seed 002). */
export const CaseTypeAssociationObjectType = Schema.Literal("doNotInteractType", "notificationType", "loanType")
