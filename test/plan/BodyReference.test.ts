import * as fc from "fast-check"
import { it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { describe, expect } from "vitest"
import { restoreBodies } from "../../src/apply/SourceBodies.js"
import { bodyDigestOf, canonicalJson, isReference, type PlanEntry, referenceLinePrefix } from "../../src/plan/BodyReference.js"
import type { PlanHeader, PlannedCreate } from "../../src/plan/Plan.js"
import { decodePlanLine, encodePlanLine } from "../../src/plan/PlanLine.js"
import type { MappedRecord, RecordMapper } from "../../src/plan/Planner.js"
import type { SourceItem, SourceRecord } from "../../src/sources/SourceRecord.js"

// A create of a CSV plan refers to its source record: its line holds the keys, the borrower, the
// line number and a digest of the body, and the body is made again from the record at apply.

const owned = ["name", "status", "openedAt", "customFields.legacyPriority", "customFields.legacyAgentEmail", "metaData.legacyBranch"]
const header: Pick<PlanHeader, "ownedFields" | "sourceFile"> = {
  ownedFields: { "101": owned },
  sourceFile: {
    options: {
      path: "cases.csv",
      delimiter: ",",
      quote: "\"",
      escape: "\"",
      encoding: "utf-8",
      gzip: "auto",
      header: true,
      skipEmptyLines: true,
      trim: false,
      maxRecordSize: 1_000_000
    },
    sha256: "0".repeat(64),
    size: 1
  }
}

// What the shipped mapping makes of a bench row (`bench/migrate.ts`), keyed like the millionth one.
const bodyOf = (n: number) => ({
  typeId: "101",
  externalId: `legacy-LB-${n}`,
  name: `Bench case ${n}`,
  status: "initiated",
  customFields: { legacyPriority: "normal", legacyAgentEmail: "olivia.martin@acme-lending.example" },
  metaData: { legacyBranch: "NY-01" },
  openedAt: "2023-01-01T10:00:00.000-05:00"
})
const valuesOf = (body: ReturnType<typeof bodyOf>) => ({
  name: body.name,
  status: body.status,
  openedAt: body.openedAt,
  "customFields.legacyPriority": body.customFields.legacyPriority,
  "customFields.legacyAgentEmail": body.customFields.legacyAgentEmail,
  "metaData.legacyBranch": body.metaData.legacyBranch
})
const create = (n: number, file = "cases.csv"): PlannedCreate => ({
  _tag: "create",
  sourceKey: `LB-${n}`,
  externalId: `legacy-LB-${n}`,
  location: { _tag: "csv", file, line: n + 2 },
  personId: "BO-UJZD-E8GX",
  body: bodyOf(n),
  values: valuesOf(bodyOf(n))
})

const decode = (line: string, context: Pick<PlanHeader, "ownedFields" | "sourceFile"> = header): PlanEntry =>
  Either.getOrThrow(decodePlanLine(JSON.parse(line), context))

describe("a create by reference", () => {
  it("fits in 150 bytes with its separator at a million rows, and holds no body", () => {
    const line = encodePlanLine(create(999_999), header)
    expect(Buffer.byteLength(`${line},\n`)).toBeLessThanOrEqual(150)
    // The writer tells a reference from a line with a body by how it starts.
    expect(line.startsWith(referenceLinePrefix)).toBe(true)
    expect(encodePlanLine(create(999_999, "other.csv"), header).startsWith(referenceLinePrefix)).toBe(false)
    expect(JSON.parse(line)).toEqual({
      _tag: "create",
      line: 1_000_001,
      sourceKey: "LB-999999",
      externalId: "legacy-LB-999999",
      personId: "BO-UJZD-E8GX",
      digest: bodyDigestOf(bodyOf(999_999))
    })
  })

  it("reads back as a reference to its line of the header's file, with the body's digest", () => {
    const entry = decode(encodePlanLine(create(7), header))
    expect(isReference(entry)).toBe(true)
    expect(entry).toEqual({
      _tag: "create",
      sourceKey: "LB-7",
      externalId: "legacy-LB-7",
      location: { _tag: "csv", file: "cases.csv", line: 9 },
      personId: "BO-UJZD-E8GX",
      bodyDigest: bodyDigestOf(bodyOf(7))
    })
  })

  it("the digest is of the body's content, not of the order its keys were built in", () => {
    const { typeId, externalId, ...rest } = bodyOf(3)
    expect(bodyDigestOf({ ...rest, externalId, typeId })).toBe(bodyDigestOf(bodyOf(3)))
    expect(bodyDigestOf({ ...bodyOf(3), name: "Bench case 3 " })).not.toBe(bodyDigestOf(bodyOf(3)))
    expect(bodyDigestOf(bodyOf(3))).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(canonicalJson({ b: [1, undefined], a: { d: undefined, c: "x" } })).toBe("{\"a\":{\"c\":\"x\"},\"b\":[1,null]}")
  })

  it("canonical JSON sorts each object's own keys, also for key sets whose names join to the same text", () => {
    // Both key sets join to "a\u0000b\u0000c": neither may be written with the other's keys.
    expect(canonicalJson({ "c": 1, "a\u0000b": 2 })).toBe(JSON.stringify({ "a\u0000b": 2, "c": 1 }))
    expect(canonicalJson({ "b\u0000c": 1, "a": 2 })).toBe(JSON.stringify({ "a": 2, "b\u0000c": 1 }))
    expect(canonicalJson({ "c": 3, "a\u0000b": 4 })).toBe(JSON.stringify({ "a\u0000b": 4, "c": 3 }))
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), (record) => {
      // Built by hand: an object literal would put integer-like keys first.
      const sorted = Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${JSON.stringify(record[key])}`)
      expect(canonicalJson(record)).toBe(`{${sorted.join(",")}}`)
    }))
  })

  it("round trip: the body made again from the source record is the planned body, with its values", () =>
    Effect.gen(function*() {
      const planned = [create(0), create(2), create(5)]
      const entries = planned.map((item) => decode(encodePlanLine(item, header)))
      // The source holds every row; the plan refers to three of them, and only those are mapped.
      const source: Array<SourceItem> = Array.from({ length: 8 }, (_, n) => ({
        _tag: "Record",
        location: { _tag: "csv", file: "cases.csv", line: n + 2 },
        data: { n }
      }))
      const mapped: Array<number> = []
      const mapPlain = (record: SourceRecord) => {
        const n = record.data["n"] as number
        mapped.push(n)
        const body = bodyOf(n)
        return Either.right<MappedRecord>({ sourceKey: `LB-${n}`, externalId: body.externalId, borrower: { externalId: "BRW-1" }, body, values: valuesOf(body) })
      }
      const mapper: RecordMapper = { ownedFields: owned, map: (record) => Effect.succeed(mapPlain(record)), mapPlain }
      const restored = Chunk.toArray(yield* Stream.runCollect(restoreBodies(Stream.fromIterable(entries), Stream.fromIterable(source).pipe(Stream.rechunk(3)), mapper)))
      expect(restored).toEqual(planned.map((item) => ({ ...item, bodyDigest: bodyDigestOf(item.body) })))
      expect(mapped).toEqual([0, 2, 5])
    }))

  it("a create of another file, or whose values are not its body's, keeps its body in the line; so does every create without a source file", () => {
    const elsewhere = create(1, "other.csv")
    const custom = { ...create(2), values: { ...create(2).values, name: "not the body's" } }
    for (const item of [elsewhere, custom]) {
      const line = encodePlanLine(item, header)
      expect(JSON.parse(line).body).toEqual(item.body)
      expect(decode(line)).toEqual(item)
    }
    const inline = encodePlanLine(create(3), { ownedFields: header.ownedFields })
    expect(JSON.parse(inline).body).toEqual(bodyOf(3))
    expect(decode(inline, { ownedFields: header.ownedFields })).toEqual(create(3))
  })

  it("a body written out is used as it is: a digest of a body made again is not written beside it", () => {
    const line = encodePlanLine({ ...create(4, "other.csv"), bodyDigest: "AAAAAAAAAAAAAAAAAAAAAA" }, header)
    expect(JSON.parse(line)).not.toHaveProperty("bodyDigest")
  })

  it("a reference in a plan whose header names no source file is refused", () => {
    const line = JSON.parse(encodePlanLine(create(4), header))
    expect(Either.isLeft(decodePlanLine(line, { ownedFields: header.ownedFields }))).toBe(true)
    expect(Either.isLeft(decodePlanLine({ ...line, extra: 1 }, header))).toBe(true)
  })
})
