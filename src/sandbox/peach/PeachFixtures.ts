import { Schema } from "effect"
import casesJson from "../../../samples/peach/cases.json" with { type: "json" }
import caseTypesJson from "../../../samples/peach/case-types.json" with { type: "json" }
import peopleJson from "../../../samples/peach/people.json" with { type: "json" }
import { Case, CaseType, Person } from "../../domain/peach/index.js"

/**
 * What the Peach-style sandbox starts with: borrowers, every case type version, and
 * cases created natively in Peach (in creation order). Each part may be replaced
 * through `SandboxOptions.fixtures.peach`; a missing part comes from `samples/peach/`.
 */
export const PeachFixtures = Schema.Struct({
  people: Schema.Array(Person),
  caseTypes: Schema.Array(CaseType),
  cases: Schema.Array(Case)
})
export type PeachFixtures = typeof PeachFixtures.Type

/** The seed in `samples/peach/`, decoded at load time so a broken sample fails loudly here. */
export const samplePeachFixtures: PeachFixtures = Schema.decodeUnknownSync(PeachFixtures)({
  people: peopleJson,
  caseTypes: caseTypesJson,
  cases: casesJson
})

/** Decodes `fixtures.peach` (any part may be absent), filling the gaps from the samples. */
export const resolvePeachFixtures = (override: unknown): PeachFixtures =>
  override === undefined
    ? samplePeachFixtures
    : { ...samplePeachFixtures, ...Schema.decodeUnknownSync(Schema.partial(PeachFixtures))(override) }
