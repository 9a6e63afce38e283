import { Schema } from "effect"

/** The objects whose custom fields `/meta/object/{type}` describes. */
export const KhorosObjectType = Schema.Literal("customer", "case")
export type KhorosObjectType = typeof KhorosObjectType.Type

/** How a custom field is edited and stored: free text, long text, one value of a list, or a boolean. */
export const KhorosFieldType = Schema.Literal("text", "textarea", "single_sel_list", "checkbox")
export type KhorosFieldType = typeof KhorosFieldType.Type

/** One allowed value of a `single_sel_list` field: `name` is shown to agents, `value` is stored on the object. */
export const KhorosListValue = Schema.Struct({ name: Schema.String, value: Schema.String })
export type KhorosListValue = typeof KhorosListValue.Type

/** One custom field of an object type, as the CRM describes it. */
export const KhorosFieldMeta = Schema.Struct({
  name: Schema.String,
  label: Schema.String,
  type: KhorosFieldType,
  searchable: Schema.Boolean,
  listValues: Schema.optional(Schema.Array(KhorosListValue))
})
export type KhorosFieldMeta = typeof KhorosFieldMeta.Type

/** Body of `GET /meta/object/{type}`: the custom fields that appear as extra top-level properties of that object. */
export const KhorosObjectMeta = Schema.Struct({
  name: Schema.String,
  fields: Schema.Array(KhorosFieldMeta)
})
export type KhorosObjectMeta = typeof KhorosObjectMeta.Type
