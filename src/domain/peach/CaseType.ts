import { Schema } from "effect"
import { BaseCaseType, CaseTypeStatus } from "./Enums.js"
import { JsonObject, nullable, OffsetDateTime , openStruct } from "./Primitives.js"

/** Value types a custom field can hold. */
export const CustomFieldType = Schema.Literal("string", "number", "integer", "boolean", "date", "dateTime", "enum")
export type CustomFieldType = typeof CustomFieldType.Type

/**
 * One custom field definition of a case type (`customFieldSchemas`, seed 002). The
 * seed names the array but not its items; this is the shape casesync and its
 * sandbox use: a key, a value type, whether it is required, the allowed values of
 * an enum and an optional maximum length for strings.
 */
export const CustomFieldSchema = Schema.Struct({
  name: Schema.String.pipe(Schema.pattern(/^[A-Za-z_][A-Za-z0-9_]*$/)),
  label: Schema.optional(Schema.String),
  type: CustomFieldType,
  required: Schema.optional(Schema.Boolean),
  values: Schema.optional(Schema.Array(Schema.String)),
  maxLength: Schema.optional(Schema.Int.pipe(Schema.positive()))
})
export type CustomFieldSchema = typeof CustomFieldSchema.Type

const caseTypeWritable = {
  caseType: Schema.optional(BaseCaseType),
  name: Schema.optional(Schema.String.pipe(Schema.maxLength(50))),
  description: Schema.optional(Schema.String.pipe(Schema.maxLength(500))),
  status: Schema.optional(CaseTypeStatus),
  loanTypeId: nullable(Schema.String),
  workflowTypeId: nullable(Schema.String),
  customFieldSchemas: nullable(Schema.Array(CustomFieldSchema)),
  smartReviews: nullable(JsonObject)
} as const

/** Body of `POST /case-types` (seed 002); `copyOf` copies a type and advances its version. */
export const CaseTypeCreate = Schema.Struct({
  copyOf: Schema.optional(Schema.Int),
  ...caseTypeWritable
})
export type CaseTypeCreate = typeof CaseTypeCreate.Type

/** Body of `PUT /case-types/{caseTypeId}` (seed 002): every update makes a new version. */
export const CaseTypeUpdate = Schema.Struct(caseTypeWritable)
export type CaseTypeUpdate = typeof CaseTypeUpdate.Type

/**
 * A case type version as the API returns it (seed 002). Decoded for what casesync
 * uses: `id`, `status` (new cases take the active version) and `customFieldSchemas`
 * are checked; `name` and `description` default to `""` as seed 002 documents;
 * `createdAt`, `version`, the base `caseType` and the rest may be absent; fields the
 * seed does not name are kept.
 */
export const CaseType = openStruct({
  id: Schema.String,
  createdAt: Schema.optional(OffsetDateTime),
  updatedAt: nullable(OffsetDateTime),
  deletedAt: nullable(OffsetDateTime),
  caseType: Schema.optional(BaseCaseType),
  name: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(50)), { default: () => "" }),
  description: Schema.optionalWith(Schema.String.pipe(Schema.maxLength(500)), { default: () => "" }),
  status: CaseTypeStatus,
  version: Schema.optional(Schema.Int),
  derivedFromTypeId: nullable(Schema.String),
  loanTypeId: nullable(Schema.String),
  workflowTypeId: nullable(Schema.String),
  customFieldSchemas: nullable(Schema.Array(CustomFieldSchema)),
  smartReviews: nullable(JsonObject)
})
export type CaseType = typeof CaseType.Type

/** Result of `POST /case-types/{id}/create-smart-review-tasks` (seed 002). */
export const SmartReviewRun = Schema.Struct({
  data: Schema.optional(JsonObject)
})
