import { Schema } from "effect"
import { nullable, OffsetDateTime , openStruct } from "./Primitives.js"

/**
 * A borrower (person or business). The seeds reference borrowers only by id in case
 * paths; casesync needs to list them (`GET /people`) to find a case's borrower by
 * `externalId` and to enumerate customers for the CRM source. The shape is the
 * minimum both sides agree on.
 */
export const Person = openStruct({
  id: Schema.String,
  object: Schema.optional(Schema.Literal("person")),
  externalId: nullable(Schema.String),
  name: nullable(Schema.String),
  createdAt: Schema.optional(OffsetDateTime)
})
export type Person = typeof Person.Type
