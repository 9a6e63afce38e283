import { Schema } from "effect"
import casesJson from "../../../samples/khoros/cases.json" with { type: "json" }
import customersJson from "../../../samples/khoros/customers.json" with { type: "json" }
import metaCaseJson from "../../../samples/khoros/meta-case.json" with { type: "json" }
import metaCustomerJson from "../../../samples/khoros/meta-customer.json" with { type: "json" }
import { KhorosCase } from "../../sources/khoros/KhorosCase.js"
import { KhorosObjectMeta } from "../../sources/khoros/KhorosMeta.js"

/** A CRM customer: only its id matters to casesync; its other properties (names, custom fields) ride along. */
export const KhorosCustomer = Schema.Struct(
  { id: Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)
export type KhorosCustomer = typeof KhorosCustomer.Type

/** What the sandbox CRM starts with: its customers, their cases, and the custom-field descriptions of both objects. */
export const KhorosSeed = Schema.Struct({
  customers: Schema.Array(KhorosCustomer),
  cases: Schema.Array(KhorosCase),
  meta: Schema.Struct({ customer: KhorosObjectMeta, case: KhorosObjectMeta })
})
export type KhorosSeed = typeof KhorosSeed.Type

/**
 * The seed in `samples/khoros/`, decoded once at load time so that a broken sample file
 * fails loudly here rather than as a puzzling sandbox response.
 */
export const sampleKhorosSeed: KhorosSeed = Schema.decodeUnknownSync(KhorosSeed)({
  customers: customersJson,
  cases: casesJson,
  meta: { customer: metaCustomerJson, case: metaCaseJson }
})

/** Decodes `fixtures.khoros` (any part may be absent), filling the gaps from the samples. */
export const resolveKhorosSeed = (override: unknown): KhorosSeed =>
  override === undefined
    ? sampleKhorosSeed
    : { ...sampleKhorosSeed, ...Schema.decodeUnknownSync(Schema.partial(KhorosSeed))(override) }
