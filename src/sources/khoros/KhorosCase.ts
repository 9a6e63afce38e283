import { Schema } from "effect"

/** Extra properties of a JSON object, kept so that nothing the CRM sends is silently dropped. */
const OtherProperties = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * An ISO 8601 date-time as the CRM writes it (seed 003: "ISO8601 DateTime"), kept as the
 * exact string: `Z`, a numeric offset or fractional seconds all survive untouched. A missing
 * offset is accepted here on purpose — it is still ISO 8601 — so that such a case reaches the
 * mapping, which refuses it with a reason, instead of vanishing inside the client.
 */
export const KhorosDateTime = Schema.String.pipe(
  Schema.filter((s) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i.test(s) &&
      !Number.isNaN(Date.parse(s))
      ? true
      : "expected an ISO 8601 date-time such as 2023-02-02T14:05:30+02:00"
  ),
  Schema.annotations({ identifier: "KhorosDateTime" })
)
export type KhorosDateTime = typeof KhorosDateTime.Type

/** Case status (seed 003: allowed values `open`, `closed`). */
export const KhorosCaseStatus = Schema.Literal("open", "closed")
export type KhorosCaseStatus = typeof KhorosCaseStatus.Type

/** The person or brand account that wrote an interaction on a social service (seed 003, Author object). */
export const KhorosAuthor = Schema.Struct(
  {
    service: Schema.String,
    serviceId: Schema.String,
    handle: Schema.String,
    name: Schema.String,
    brandOwned: Schema.Boolean
  },
  OtherProperties
)
export type KhorosAuthor = typeof KhorosAuthor.Type

/** One message of a case on its origin service (seed 003, Interactions object). */
export const KhorosInteraction = Schema.Struct(
  {
    created: KhorosDateTime,
    body: Schema.String,
    linkUrl: Schema.String,
    serviceId: Schema.String,
    service: Schema.String,
    contentType: Schema.String,
    author: Schema.optional(KhorosAuthor)
  },
  OtherProperties
)
export type KhorosInteraction = typeof KhorosInteraction.Type

/** Names of the case fields seed 003 documents; every other top-level property is a custom case property. */
export const documentedCaseFields = [
  "id",
  "number",
  "customerId",
  "title",
  "description",
  "url",
  "lastUpdated",
  "created",
  "status",
  "interactions"
] as const

/** Names of the interaction fields seed 003 documents. */
export const documentedInteractionFields = [
  "created",
  "body",
  "linkUrl",
  "serviceId",
  "service",
  "contentType",
  "author"
] as const

/** Names of the author fields seed 003 documents. */
export const documentedAuthorFields = ["service", "serviceId", "handle", "name", "brandOwned"] as const

/**
 * A CRM case (seed 003): the documented fields decoded and checked, and the custom case
 * properties named by `/meta/object/case` carried along as further top-level properties.
 */
export const KhorosCase = Schema.Struct(
  {
    id: Schema.String,
    number: Schema.String,
    customerId: Schema.String,
    title: Schema.String,
    description: Schema.String,
    url: Schema.String,
    lastUpdated: KhorosDateTime,
    created: KhorosDateTime,
    status: KhorosCaseStatus,
    interactions: Schema.optional(Schema.Array(KhorosInteraction))
  },
  OtherProperties
).annotations({ identifier: "KhorosCase" })
export type KhorosCase = typeof KhorosCase.Type

/**
 * Body of `POST /case` (createCase): the case object without what the CRM assigns
 * (id, number, url, lastUpdated); `created` may be given for a case that began elsewhere.
 * Custom case properties travel as further top-level properties.
 */
export const KhorosCaseCreate = Schema.Struct(
  {
    customerId: Schema.String,
    title: Schema.String,
    description: Schema.optional(Schema.String),
    status: Schema.optional(KhorosCaseStatus),
    created: Schema.optional(KhorosDateTime),
    interactions: Schema.optional(Schema.Array(KhorosInteraction))
  },
  OtherProperties
)
export type KhorosCaseCreate = typeof KhorosCaseCreate.Type

/**
 * Body of `PUT /case/{id}` (updateCase): the fields to change; `interactions` listed here are
 * attached to the case (appended), as the CRM's updateCase describes it.
 */
export const KhorosCaseUpdate = Schema.Struct(
  {
    customerId: Schema.optional(Schema.String),
    title: Schema.optional(Schema.String),
    description: Schema.optional(Schema.String),
    status: Schema.optional(KhorosCaseStatus),
    interactions: Schema.optional(Schema.Array(KhorosInteraction))
  },
  OtherProperties
)
export type KhorosCaseUpdate = typeof KhorosCaseUpdate.Type

/** The custom case properties of a case: every top-level property seed 003 does not document. */
export const customCaseProperties = (kase: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> => {
  const documented: ReadonlySet<string> = new Set(documentedCaseFields)
  return Object.fromEntries(Object.entries(kase).filter(([name]) => !documented.has(name)))
}
