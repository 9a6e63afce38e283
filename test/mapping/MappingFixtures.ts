import { NodeContext } from "@effect/platform-node"
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { CaseType } from "../../src/domain/peach/index.js"
import { type CompiledMapping, compileMapping, type MappingIssue, type MappingResult } from "../../src/mapping/index.js"
import type { MappedCase } from "../../src/mapping/RecordMapping.js"
import type { Rejection } from "../../src/mapping/Rejection.js"
import type { SourceRecord } from "../../src/sources/SourceRecord.js"

/** The repository root, so tests find the shipped samples wherever vitest runs from. */
export const root = NodePath.resolve(NodePath.dirname(fileURLToPath(import.meta.url)), "../..")

/** The sandbox's case types (samples/peach/case-types.json), decoded with the contract's schema. */
export const caseTypes = Schema.decodeUnknownSync(Schema.Array(CaseType))(
  JSON.parse(readFileSync(NodePath.join(root, "samples/peach/case-types.json"), "utf8"))
)

/** Where inline test mappings pretend to live: lookups resolve from `mappings/`, like the shipped ones. */
export const inlineFile = NodePath.join(root, "mappings/inline-test.yaml")

/** The shipped CSV run config: the shipped mappings' lookups (`../samples/lookups/…`) lie in its folder. */
export const sampleConfig = NodePath.join(root, "samples/legacy-csv.casesync.yaml")

/** Compiles inline YAML against the sandbox case types, as if named by the shipped run config. */
export const compile = (yaml: string, sourceFields?: ReadonlyArray<string>, file = inlineFile) =>
  compileMapping(yaml, { file, caseTypes, sourceFields, configFile: sampleConfig }).pipe(Effect.provide(NodeContext.layer))

/** The issues an inline mapping is refused with (dies if it loads). */
export const issuesOf = (yaml: string, sourceFields?: ReadonlyArray<string>, file = inlineFile) =>
  compile(yaml, sourceFields, file).pipe(
    Effect.flip,
    Effect.map((error) => error.issues),
    Effect.catchAll((mapping) => Effect.die(`expected a MappingLoadError, but the mapping loaded: ${String(mapping)}`))
  )

/** Finds the one issue whose message contains `text`, to assert on its position. */
export const issueWith = (issues: ReadonlyArray<MappingIssue>, text: string): MappingIssue => {
  const found = issues.filter((issue) => issue.message.includes(text))
  if (found.length !== 1) {
    throw new Error(`expected exactly one issue containing ${JSON.stringify(text)}, got:\n${issues.map((i) => JSON.stringify(i)).join("\n")}`)
  }
  return found[0]!
}

/** A CSV-like record at a given line. */
export const record = (data: Record<string, unknown>, line = 2): SourceRecord => ({
  _tag: "Record",
  location: { _tag: "csv", file: "inline.csv", line },
  data
})

/** Maps one record and insists it was accepted. */
export const mapped = (mapping: CompiledMapping, data: Record<string, unknown>): Effect.Effect<MappedCase> =>
  Effect.flatMap(mapping.mapRecord(record(data)), (result: MappingResult) =>
    result._tag === "Mapped" ? Effect.succeed(result) : Effect.die(`expected a mapped case, got rejection: ${result.field}: ${result.reason}`))

/** Maps one record and insists it was rejected. */
export const rejected = (mapping: CompiledMapping, data: Record<string, unknown>): Effect.Effect<Rejection> =>
  Effect.flatMap(mapping.mapRecord(record(data)), (result: MappingResult) =>
    result._tag === "Rejection" ? Effect.succeed(result) : Effect.die(`expected a rejection, got ${JSON.stringify(result.body)}`))

/** A mapping header (identity keys) for case type 101 to put fields under. */
export const generic = (fields: string, extra = "") => `
externalId: "legacy-{case_id}"
borrower: { externalId: "{borrower_ref}" }
caseType: { name: Legacy servicing case }
${extra}
fields:
${fields}
`

/** The same for the CRM type 106, which requires customFields.crmNumber. */
export const crm = (fields: string) => `
externalId: "khoros-{id}"
borrower: { externalId: "{customerId}" }
caseType: { id: "106" }
fields:
  customFields.crmNumber: { from: number, required: true }
${fields}
`
