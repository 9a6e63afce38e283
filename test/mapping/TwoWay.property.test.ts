import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import fc from "fast-check"
import * as NodePath from "node:path"
import { makeDatetimeCodec } from "../../src/mapping/Datetime.js"
import { type CompiledMapping, loadMapping } from "../../src/mapping/index.js"
import { caseTypes, compile, generic, record, root, sampleConfig } from "./MappingFixtures.js"

const khoros = Effect.runSync(Effect.cached(
  loadMapping(NodePath.join(root, "mappings/khoros-to-peach.yaml"), { caseTypes, configFile: sampleConfig }).pipe(Effect.provide(NodeContext.layer))
))

/** The compiled two-way field for `target` in case type 106. */
const twoWay = (mapping: CompiledMapping, target: string, typeId = "106") => {
  const field = mapping.twoWayFields.find((f) => f.target === target)
  if (field === undefined) throw new Error(`${target} is not two-way`)
  return field.schemas.get(typeId)!
}

/** Decodes a source value to the target and encodes it back. */
const roundTrip = (schema: Schema.Schema<unknown, unknown>, source: unknown) =>
  Schema.encodeUnknownSync(schema)(Schema.decodeUnknownSync(schema)(source))

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0")

/** An ISO date-time with millisecond fraction and an offset (`Z` or ±hh:mm), as canonical source text. */
const offsetDateTime = fc.record({
  instant: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }),
  offsetMinutes: fc.oneof(fc.constant(undefined), fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15))
}).map(({ instant, offsetMinutes }) => {
  const local = new Date(instant + (offsetMinutes ?? 0) * 60_000).toISOString().slice(0, -1)
  const offset = offsetMinutes === undefined
    ? "Z"
    : `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`
  return { text: `${local}${offset}`, instant }
})

describe("two-way fields: decoding then encoding gives the source value back", () => {
  it.effect("map + reverse (Khoros status open/closed)", () =>
    Effect.gen(function*() {
      const schema = twoWay(yield* khoros, "status")
      fc.assert(fc.property(fc.constantFrom("open", "closed"), (status) => roundTrip(schema, status) === status))
      // And every Peach status has a way back that then maps to a status of the same meaning.
      for (const status of ["initiated", "processing", "completed", "canceled", "reopened"]) {
        const source = Schema.encodeUnknownSync(schema)(status)
        expect(["open", "closed"]).toContain(source)
      }
    }))

  it.effect("copy (free text into metaData, enum values into a custom field, booleans)", () =>
    Effect.gen(function*() {
      const mapping = yield* khoros
      const description = twoWay(mapping, "metaData.description")
      fc.assert(fc.property(fc.string({ minLength: 1 }), (text) => roundTrip(description, text) === text))
      const priority = twoWay(mapping, "customFields.crmPriority")
      fc.assert(fc.property(fc.constantFrom("low", "medium", "high"), (value) => roundTrip(priority, value) === value))
      const escalated = twoWay(mapping, "customFields.crmEscalated")
      fc.assert(fc.property(fc.boolean(), (value) => roundTrip(escalated, value) === value))
      const product = twoWay(mapping, "customFields.crmProduct")
      const trimmedText = fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim() === s && s !== "")
      fc.assert(fc.property(trimmedText, (text) => roundTrip(product, text) === text))
    }))

  it.effect("datetime with its offset kept", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(
        "externalId: \"k-{id}\"\nborrower: { externalId: \"{c}\" }\ncaseType: { id: \"106\" }\nfields:\n" +
          "  customFields.crmNumber: { from: number, required: true, direction: both }\n" +
          "  customFields.crmLastUpdated: { from: lastUpdated, datetime: {}, direction: both }\n"
      )
      const schema = twoWay(mapping, "customFields.crmLastUpdated")
      fc.assert(fc.property(offsetDateTime, ({ instant, text }) => {
        const target = Schema.decodeUnknownSync(schema)(text) as string
        expect(Date.parse(target)).toBe(instant)
        expect(target).toBe(text)
        expect(Schema.encodeUnknownSync(schema)(target)).toBe(text)
      }))
    }))

  it("a naive time in a named zone: every instant written as New York wall-clock time decodes to that exact instant", () => {
    const newYork = Either.getOrThrow(makeDatetimeCodec({ timezone: "America/New_York" }))
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }), (instant) => {
      const local = Either.getOrThrow(newYork.encode(new Date(instant).toISOString()))
      const back = newYork.decode(local)
      if (Either.isLeft(back)) {
        // Only the repeated hour of a fall-back night may refuse: its wall-clock text is ambiguous.
        expect(back.left).toContain("happens twice")
        return
      }
      expect(Date.parse(back.right)).toBe(instant)
      expect(Either.getOrThrow(newYork.encode(back.right))).toBe(local)
    }), { numRuns: 2000 })
  })

  it.effect("a whole Khoros case: the write-back patch of the mapped case equals the source's two-way fields", () =>
    Effect.gen(function*() {
      const mapping = yield* khoros
      const khorosCase = fc.record({
        id: fc.stringMatching(/^KC-\d{3,6}$/),
        number: fc.stringMatching(/^\d{1,8}$/),
        customerId: fc.constantFrom("BRW-1001", "BRW-1042"),
        title: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== ""),
        description: fc.string({ minLength: 1 }),
        url: fc.webUrl(),
        lastUpdated: offsetDateTime.map((d) => d.text),
        created: offsetDateTime.map((d) => d.text),
        status: fc.constantFrom("open", "closed"),
        priority: fc.constantFrom("low", "medium", "high"),
        product: fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim() === s && s !== ""),
        escalated: fc.boolean()
      })
      yield* Effect.promise(() =>
        fc.assert(fc.asyncProperty(khorosCase, async (data) => {
          const result = await Effect.runPromise(mapping.mapRecord(record(data)))
          if (result._tag !== "Mapped") throw new Error(`rejected: ${result.reason}`)
          const patch = await Effect.runPromise(mapping.toSource(result.body))
          expect(patch).toEqual({
            status: data.status,
            "priority": data.priority,
            product: data.product,
            escalated: data.escalated,
            description: data.description
          })
          // Encoding through the record schema gives the same patch.
          expect(Schema.encodeSync(mapping.schema)(result)).toEqual(patch)
        }), { numRuns: 200 })
      )
    }))

  it.effect("encoding refuses target values the field cannot hold", () =>
    Effect.gen(function*() {
      const mapping = yield* khoros
      const error = yield* Effect.flip(mapping.toSource({ typeId: "106", status: "archived", customFields: { crmPriority: "urgent" } }))
      expect(error.failures).toEqual([
        { field: "status", reason: "\"archived\" is not allowed; expected one of initiated, processing, completed, canceled, reopened" },
        { field: "customFields.crmPriority", reason: "\"urgent\" is not allowed; expected one of low, medium, high" }
      ])
      // A case of another type has none of this mapping's fields to write back.
      expect(yield* mapping.toSource({ typeId: "101", status: "completed" })).toEqual({})
    }))

  it.effect("toTarget fields are never written back", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  name: subject\n  status: { from: status, map: { OPEN: initiated } }"))
      expect(mapping.twoWayFields).toEqual([])
      expect(yield* mapping.toSource({ typeId: "101", name: "x", status: "initiated" })).toEqual({})
    }))
})
