import type { HttpClient } from "@effect/platform"
import { Effect, Either, Layer, Option, Stream } from "effect"
import type { RunConfig } from "../config/RunConfig.js"
import { type CompiledMapping, loadMapping, type MappingResult } from "../mapping/index.js"
import type { LoadedMapper } from "../plan/PlanMigration.js"
import { openSource } from "../sources/SourceFromConfig.js"
import { StateStore } from "../state/StateStore.js"
import { sourceAtBase } from "../sync/LedgerBase.js"
import { PeachClient } from "../target/PeachClient.js"

/** What checking a mapping needs: the target's client only, so `validate` and `preview` create no state file. */
export const mappingLayer = (config: RunConfig) => PeachClient.layer(config.target)

/** The services a run needs, built from its config: the target's client and the state store. */
export const runLayer = (config: RunConfig) =>
  Layer.merge(PeachClient.layer(config.target), StateStore.layerFromUrl(config.state))

/** Turns a compiled mapping into what the planner needs. */
export const mapperOf = (compiled: CompiledMapping): LoadedMapper => ({
  file: compiled.file,
  digest: compiled.digest,
  ownedFields: compiled.ownedFields,
  ownedFieldsByType: compiled.ownedFieldsByType,
  caseTypeNames: Object.fromEntries(compiled.caseTypes.map((caseType) => [caseType.id, caseType.name])),
  map: (record) => Effect.map(compiled.mapRecord(record), forPlanner),
  mapPlain: (record) => {
    const result = compiled.mapRecordPlain(record)
    return result === undefined ? undefined : forPlanner(result)
  },
  sourceAtBase: sourceAtBase(compiled.fields)
})

const forPlanner = (result: MappingResult) =>
  result._tag === "Rejection"
    ? Either.left({ field: result.field, reason: result.reason, sourceKey: result.sourceKey, externalId: result.externalId })
    : Either.right(result) // a mapped case is a MappedRecord already (no copy per record)

/**
 * Loads the mapping the config names and checks it against the target's case types
 * (one list call) and the source's field names (CSV header or the CRM's meta).
 */
export const loadConfiguredMapping = (config: RunConfig, crmHttp?: Layer.Layer<HttpClient.HttpClient>) =>
  Effect.gen(function*() {
    const client = yield* PeachClient
    // The target's answer and the source's header do not depend on each other: wait for both at
    // once. Either's failure is reported as before, the target's first.
    const [caseTypes, opened] = yield* Effect.all([
      Effect.either(Stream.runCollect(client.listCaseTypes())),
      Effect.either(Effect.flatMap(openSource(config, crmHttp), (source) => Effect.map(source.fields, (sourceFields) => ({ source, sourceFields }))))
    ], { concurrency: 2 })
    if (Either.isLeft(caseTypes)) return yield* caseTypes.left
    if (Either.isLeft(opened)) return yield* opened.left
    const { source, sourceFields } = opened.right
    const compiled = yield* loadMapping(config.mappingFile, {
      caseTypes: Array.from(caseTypes.right),
      sourceFields: Option.getOrUndefined(sourceFields),
      configFile: config.file
    })
    return { compiled, mapper: mapperOf(compiled), source, sourceFields }
  })
