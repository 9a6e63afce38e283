import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { readFileSync } from "node:fs"
import * as NodePath from "node:path"
import { loadMapping } from "../../src/mapping/index.js"
import { CsvSourceOptions, readCsv } from "../../src/sources/csv/CsvSource.js"
import type { SourceRecord } from "../../src/sources/SourceRecord.js"
import { caseTypes, compile, record, root, sampleConfig } from "./MappingFixtures.js"

const csvPath = NodePath.join(root, "samples/csv/legacy-cases.csv")

describe("mapping a record as plain code", () => {
  it.effect("gives, for every row of the legacy sample, exactly what the mapping's schema gives (cases and rejections)", () =>
    Effect.gen(function*() {
      const mapping = yield* loadMapping(NodePath.join(root, "mappings/legacy-csv-to-peach.yaml"), { caseTypes, configFile: sampleConfig })
      const items = Chunk.toReadonlyArray(yield* Stream.runCollect(readCsv(CsvSourceOptions.make({ path: csvPath }))))
      const records = items.filter((item): item is SourceRecord => item._tag === "Record")
      expect(records.length).toBeGreaterThan(200)
      for (const source of records) {
        const plain = mapping.mapRecordPlain(source)
        expect(plain).toBeDefined()
        const bySchema = yield* mapping.mapRecordBySchema(source)
        expect(plain).toEqual(bySchema)
        // The body goes into plan lines and requests as it is: the same keys in the same order.
        if (plain?._tag === "Mapped" && bySchema._tag === "Mapped") expect(Object.keys(plain.body)).toEqual(Object.keys(bySchema.body))
      }
      const plain = records.map((source) => mapping.mapRecordPlain(source)!)
      expect(plain.filter((r) => r._tag === "Rejection").length).toBeGreaterThan(5)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("answers the same for the Khoros sample's fields that need no compute step, and leaves compute to the schema", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<Record<string, unknown>> = JSON.parse(readFileSync(NodePath.join(root, "samples/khoros/cases.json"), "utf8"))
      const mapping = yield* loadMapping(NodePath.join(root, "mappings/khoros-to-peach.yaml"), { caseTypes, configFile: sampleConfig })
      // The shipped CRM mapping counts interactions with JSONata: that record needs the Effect path.
      expect(mapping.mapRecordPlain(record(cases[0]!))).toBeUndefined()
      expect((yield* mapping.mapRecord(record(cases[0]!)))).toEqual(yield* mapping.mapRecordBySchema(record(cases[0]!)))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("turns a step that throws into a rejection of that record, as the schema path does", () =>
    Effect.gen(function*() {
      const mapping = yield* compile([
        "externalId: \"legacy-{id}\"",
        "borrower: { externalId: \"{borrower}\" }",
        "caseType: { name: Legacy servicing case }",
        "fields:",
        "  name: { from: subject, required: true }"
      ].join("\n"))
      const hostile = record(Object.defineProperty({ id: "1", borrower: "B" }, "subject", { get: () => { throw new Error("boom") }, enumerable: true }))
      const plain = mapping.mapRecordPlain(hostile)
      expect(plain?._tag).toBe("Rejection")
      expect(plain).toMatchObject({ field: "(record)", reason: "mapping failed unexpectedly: boom" })
    }))
})
