// The handlers of `casesync validate` and `preview`, loaded only when one of them is chosen.
import { Chunk, Console, Effect, Option, Stream } from "effect"
import type { CompiledMapping, MappingResult } from "../mapping/index.js"
import { coverage, rejectUnreadable } from "../mapping/index.js"
import { versionSuffix } from "../mapping/ActiveCaseTypes.js"
import { formatLocation, type SourceItem } from "../sources/SourceRecord.js"
import { loadRunConfig } from "../config/RunConfig.js"
import { overridesOf } from "./CommonOptions.js"
import type { PreviewOptions, ValidateOptions } from "./MappingCommands.js"
import { loadConfiguredMapping, mappingLayer } from "./RunContext.js"

const mappingSummary = (compiled: CompiledMapping, unused: Option.Option<ReadonlyArray<string>>) =>
  [
    `mapping ${compiled.file}: OK`,
    `  case types: ${compiled.caseTypes.map((t) => `${t.name} (${t.id}${versionSuffix(t)})`).join(", ")}`,
    `  owned target fields (${compiled.ownedFields.length}): ${compiled.ownedFields.join(", ")}`,
    `  two-way fields: ${compiled.twoWayFields.length === 0 ? "none" : compiled.twoWayFields.map((f) => `${f.target} ↔ ${f.source}`).join(", ")}`,
    Option.match(unused, {
      onNone: () => "  source fields: unknown until the source has a record (coverage not checked)",
      onSome: (fields) =>
        fields.length === 0
          ? "  coverage: every source field is mapped or declared in ignore:"
          : `  coverage: ${fields.length} source field(s) neither mapped nor ignored: ${fields.join(", ")}`
    })
  ].join("\n")

/** `casesync validate`: checks the config and the mapping against the target and the source; writes nothing. */
export const validate = (options: ValidateOptions) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(options.config, overridesOf(options))
    const { compiled, sourceFields } = yield* loadConfiguredMapping(config).pipe(Effect.provide(mappingLayer(config)))
    const unused = Option.map(sourceFields, (fields) => coverage(compiled, fields))
    if (options.json) {
      yield* Console.log(JSON.stringify({
        command: "validate",
        job: config.job,
        config: config.file,
        mapping: compiled.file,
        ownedFields: compiled.ownedFields,
        caseTypes: compiled.caseTypes.map((t) => ({ id: t.id, name: t.name, version: t.version })),
        unusedSourceFields: Option.getOrNull(unused)
      }, null, 2))
    } else {
      yield* Console.log(`config ${config.file}: OK (job ${config.job}, source ${config.source.kind}, target ${config.target.baseUrl}, state ${config.state})`)
      yield* Console.log(mappingSummary(compiled, unused))
    }
  })

const indent = (text: string) => text.split("\n").map((line) => `    ${line}`).join("\n")

const previewOne = (item: SourceItem, result: MappingResult): string => {
  const source = item._tag === "Record" ? JSON.stringify(item.data, null, 2) : JSON.stringify(item.raw)
  const outcome = result._tag === "Rejection"
    ? `  REJECTED ${result.field}: ${result.reason}`
    : `  → case ${result.externalId} for borrower ${"externalId" in result.borrower ? `ext-${result.borrower.externalId}` : result.borrower.id}, type ${result.typeId}\n${indent(JSON.stringify(result.body, null, 2))}`
  return `── ${formatLocation(item.location)}\n  source:\n${indent(source)}\n${outcome}`
}

/** `casesync preview --limit N`: the first N source records beside their mapped cases, or their rejections. */
export const preview = (options: PreviewOptions) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(options.config, overridesOf(options))
    const shown = yield* Effect.gen(function*() {
      const { compiled, source } = yield* loadConfiguredMapping(config)
      return yield* source.items.pipe(
        Stream.take(options.limit),
        Stream.mapEffect((item) =>
          Effect.map(
            item._tag === "Record" ? compiled.mapRecord(item) : Effect.succeed(rejectUnreadable(item)),
            (result) => ({ item, result })
          )
        ),
        Stream.runCollect
      )
    }).pipe(Effect.provide(mappingLayer(config)))
    const pairs = Chunk.toArray(shown)
    if (options.json) {
      yield* Console.log(JSON.stringify(pairs.map(({ item, result }) => ({
        location: formatLocation(item.location),
        source: item._tag === "Record" ? item.data : item.raw,
        result
      })), null, 2))
    } else {
      for (const { item, result } of pairs) yield* Console.log(previewOne(item, result))
      const rejected = pairs.filter((p) => p.result._tag === "Rejection").length
      yield* Console.log(`\n${pairs.length} record(s): ${pairs.length - rejected} mapped, ${rejected} rejected`)
    }
  })
