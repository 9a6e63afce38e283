import { Schema } from "effect"
import { CsvSourceOptions } from "../sources/csv/CsvSourceOptions.js"
import { SourceLocation } from "../sources/SourceRecord.js"

/**
 * The values of the fields a mapping owns, flattened to dotted target paths
 * (`status`, `openedAt`, `customFields.crmNumber`). It is what the planner diffs and
 * what the ledger keeps as the last synced snapshot.
 */
export const OwnedValues = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type OwnedValues = typeof OwnedValues.Type

/** One owned field whose value the update changes: `before` is the target's, `after` the source's. */
export const FieldChange = Schema.Struct({
  field: Schema.String,
  before: Schema.Unknown,
  after: Schema.Unknown
})
export type FieldChange = typeof FieldChange.Type

/** An owned field the target changed since the last sync, which the source would overwrite. */
export const FieldConflict = Schema.Struct({
  field: Schema.String,
  base: Schema.Unknown,
  target: Schema.Unknown,
  source: Schema.Unknown
})
export type FieldConflict = typeof FieldConflict.Type

const identity = {
  sourceKey: Schema.String,
  externalId: Schema.String,
  location: SourceLocation,
  personId: Schema.String
}

/** Create a case that the target does not have yet. */
export const PlannedCreate = Schema.TaggedStruct("create", {
  ...identity,
  body: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  values: OwnedValues,
  /**
   * Set when apply made the body again from the source (`BodyReference.ts`): the digest the
   * plan recorded for it, which the body must match before it is sent.
   */
  bodyDigest: Schema.optional(Schema.String)
})
export type PlannedCreate = typeof PlannedCreate.Type

/**
 * Update owned fields of an existing case. `targetUpdatedAt` is the version of the
 * target case the diff was computed against: apply refuses the item if it moved.
 */
export const PlannedUpdate = Schema.TaggedStruct("update", {
  ...identity,
  caseId: Schema.String,
  targetUpdatedAt: Schema.NullOr(Schema.String),
  changes: Schema.Array(FieldChange),
  body: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  values: OwnedValues
})
export type PlannedUpdate = typeof PlannedUpdate.Type

/** The target already holds exactly what the source says: nothing to write. */
export const PlannedUnchanged = Schema.TaggedStruct("unchanged", {
  ...identity,
  caseId: Schema.String,
  targetUpdatedAt: Schema.NullOr(Schema.String),
  values: OwnedValues
})
export type PlannedUnchanged = typeof PlannedUnchanged.Type

/** The record cannot be written: where it came from, which field, why, and the raw record. */
export const PlannedReject = Schema.TaggedStruct("reject", {
  location: SourceLocation,
  sourceKey: Schema.NullOr(Schema.String),
  externalId: Schema.NullOr(Schema.String),
  field: Schema.String,
  reason: Schema.String,
  raw: Schema.Unknown
})
export type PlannedReject = typeof PlannedReject.Type

/** The target changed owned fields since the last sync (or the case belongs elsewhere): nothing is overwritten. */
export const PlannedConflict = Schema.TaggedStruct("conflict", {
  ...identity,
  caseId: Schema.String,
  targetUpdatedAt: Schema.NullOr(Schema.String),
  reason: Schema.String,
  conflicts: Schema.Array(FieldConflict)
})
export type PlannedConflict = typeof PlannedConflict.Type

/** One decision of the planner about one source record. */
export const PlanItem = Schema.Union(PlannedCreate, PlannedUpdate, PlannedUnchanged, PlannedReject, PlannedConflict)
export type PlanItem = typeof PlanItem.Type
export type PlanAction = PlanItem["_tag"]

/** How many records went each way; `read` always equals the sum of the others. */
export const PlanCounts = Schema.Struct({
  read: Schema.Int,
  create: Schema.Int,
  update: Schema.Int,
  unchanged: Schema.Int,
  reject: Schema.Int,
  conflict: Schema.Int,
  skipped: Schema.Int
})
export type PlanCounts = typeof PlanCounts.Type

/** Counts with nothing in them. */
export const emptyCounts: PlanCounts = { read: 0, create: 0, update: 0, unchanged: 0, reject: 0, conflict: 0, skipped: 0 }

/**
 * The CSV file whose records a plan's creates refer to instead of holding their bodies: how it
 * was read (its `path` is the file as the items' locations name it) and what its bytes were when
 * the plan read them, so apply can refuse a plan whose source changed since.
 */
export const PlanSourceFile = Schema.Struct({
  options: CsvSourceOptions,
  sha256: Schema.String,
  size: Schema.NonNegativeInt
})
export type PlanSourceFile = typeof PlanSourceFile.Type

/**
 * What a plan was computed from, recorded so apply can refuse a plan made for another
 * job, mapping or target: Terraform's rule that a plan carries the state it assumed.
 */
export const PlanHeader = Schema.Struct({
  format: Schema.Literal("casesync-plan/1"),
  planId: Schema.String,
  job: Schema.String,
  createdAt: Schema.String,
  configDigest: Schema.String,
  mappingDigest: Schema.String,
  mappingFile: Schema.String,
  targetBaseUrl: Schema.String,
  source: Schema.String,
  /** The owned fields of each case type id, so a create's line need not repeat its values (`PlanLine.ts`). */
  ownedFields: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })),
  /** The source file creates refer to, when they do (a CSV plan): apply makes their bodies again from it. */
  sourceFile: Schema.optional(PlanSourceFile),
  /** The case types the mapping resolved to (id → name) when the plan was made: bodies made again must resolve alike. */
  caseTypes: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
})
export type PlanHeader = typeof PlanHeader.Type
