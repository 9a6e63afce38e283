import { NodeContext } from "@effect/platform-node"
import { Chunk, Effect, Stream } from "effect"
import { planItemsWithBodies } from "../../../src/apply/SourceBodies.js"
import { loadConfiguredMapping, mappingLayer } from "../../../src/cli/RunContext.js"
import { loadRunConfig } from "../../../src/config/RunConfig.js"
import { readPlanHeader } from "../../../src/plan/PlanFile.js"

/**
 * The items of a plan file whole, as apply reads them: a create that refers to its source record
 * gets the body the config's mapping makes of it again. What a test reads a create's body through.
 */
export const readPlanItems = (configFile: string, planFile: string) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(configFile)
    const header = yield* readPlanHeader(planFile)
    const { mapper } = yield* loadConfiguredMapping(config).pipe(Effect.provide(mappingLayer(config)))
    const sourcePath = config.source.kind === "csv" ? config.source.path : undefined
    return { header, items: Chunk.toArray(yield* Stream.runCollect(planItemsWithBodies(planFile, header, sourcePath, mapper))) }
  }).pipe(Effect.provide(NodeContext.layer))
