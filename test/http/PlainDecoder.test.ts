import { describe, expect, it } from "@effect/vitest"
import { Either, Option, ParseResult, Schema } from "effect"
import * as fc from "fast-check"
import khorosCasesJson from "../../samples/khoros/cases.json" with { type: "json" }
import casesJson from "../../samples/peach/cases.json" with { type: "json" }
import caseTypesJson from "../../samples/peach/case-types.json" with { type: "json" }
import peopleJson from "../../samples/peach/people.json" with { type: "json" }
import { Case, CaseType, ItemEnvelope, ListEnvelope, Person } from "../../src/domain/peach/index.js"
import { hasPlainDecoder, plainDecoder } from "../../src/http/PlainDecoder.js"
import { toWire } from "../../src/sandbox/peach/PeachWire.js"
import { KhorosCase } from "../../src/sources/khoros/KhorosCase.js"
import { caseTypeJson, fullCaseJson, personJson } from "../domain/PeachSamples.js"

// The plain decoder must be Schema's decode, only faster: the same value for every body it
// takes, and for every other body Schema's own answer. These tests compare the two on real
// bodies and on bodies changed at random places.

/** Both decoders of a schema, the plain one counting how often it left a body to the schema. */
const both = <A, I>(schema: Schema.Schema<A, I, never>) => {
  const bySchema = Schema.decodeUnknownEither(schema, { errors: "all" })
  let handedOver = 0
  const plain = plainDecoder(schema, (u) => {
    handedOver++
    return bySchema(u)
  })
  return { bySchema, plain, handedOver: () => handedOver }
}

const wire = (kind: "case" | "caseType" | "person", items: ReadonlyArray<unknown>) =>
  [...items, ...items.map((item) => toWire("lean", kind, item))]

const bodies = {
  case: wire("case", [...casesJson, fullCaseJson()]),
  caseType: wire("caseType", [...caseTypesJson, caseTypeJson()]),
  person: wire("person", [...peopleJson, personJson()])
}

const schemas = [
  { name: "Case", schema: Case as Schema.Schema<unknown, unknown, never>, items: bodies.case },
  { name: "CaseType", schema: CaseType as Schema.Schema<unknown, unknown, never>, items: bodies.caseType },
  { name: "Person", schema: Person as Schema.Schema<unknown, unknown, never>, items: bodies.person },
  { name: "KhorosCase", schema: KhorosCase as Schema.Schema<unknown, unknown, never>, items: khorosCasesJson as ReadonlyArray<unknown> }
]

/** Every place in a JSON value: each key and index at any depth, as a path. */
const pathsOf = (value: unknown, prefix: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> => {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])])
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])])
  }
  return []
}

/** A copy of `value` with the place at `path` set to `replacement`, or removed when it is `undefined`. */
const changedAt = (value: unknown, path: ReadonlyArray<string | number>, replacement: { readonly to?: unknown }): unknown => {
  const copy = structuredClone(value) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if ("to" in replacement) parent[last] = replacement.to
  else if (Array.isArray(parent)) parent.splice(last as number, 1)
  else delete parent[last]
  return copy
}

// Values a server could put anywhere: wrong types, near-misses of the formats, nothing at all.
const replacements: fc.Arbitrary<{ readonly to?: unknown }> = fc.oneof(
  fc.constant({}),
  fc.constantFrom(
    null, undefined, "", "x", 0, 1.5, -1, true, false, [], {}, ["x"], [1], { id: "x" },
    "2024-03-10T08:15:00Z", "2024-03-10T08:15:00", "2024-02-30T00:00:00Z", "2024-03-10", "2024-13-01",
    "initiated", "bogus", "agent", "bankruptcy", "ext-1"
  ).map((to) => ({ to })),
  fc.jsonValue({ maxDepth: 2 }).map((to) => ({ to }))
)

describe("the plain decoder of a response schema", () => {
  it("exists for what is read in bulk: the list and item bodies of cases, case types and borrowers, and CRM cases", () => {
    for (const { schema } of schemas) {
      expect(hasPlainDecoder(ListEnvelope(schema))).toBe(true)
      expect(hasPlainDecoder(ItemEnvelope(schema))).toBe(true)
    }
  })

  for (const { items, name, schema } of schemas) {
    it(`gives a valid ${name} body exactly what Schema gives, without handing it over`, () => {
      const decoders = both(ListEnvelope(schema))
      const page = { status: 200, total: items.length, count: items.length, nextUrl: null, data: items }
      const plain = decoders.plain(page)
      expect(Either.isRight(plain)).toBe(true)
      expect(plain).toStrictEqual(decoders.bySchema(page))
      expect(decoders.handedOver()).toBe(0)
    })

    it(`gives a ${name} body changed anywhere either Schema's value or Schema's own error`, () => {
      const decoders = both(schema)
      const changed = fc.integer({ min: 0, max: items.length - 1 }).chain((i) => {
        const item = items[i]
        const paths = [...pathsOf(item), ["addedByServer"]]
        return fc.tuple(fc.constantFrom(...paths), replacements).map(([path, replacement]) => changedAt(item, path, replacement))
      })
      fc.assert(fc.property(changed, (body) => {
        expect(decoders.plain(body)).toStrictEqual(decoders.bySchema(body))
      }), { numRuns: 2_000 })
    })
  }

  it("leaves what Schema refuses to Schema: the same error, path and message", () => {
    const decoders = both(ListEnvelope(Case))
    const page = { data: [fullCaseJson({ status: "bogus", openedAt: "2024-03-10T08:15:00" })] }
    const plain = decoders.plain(page)
    expect(Either.isLeft(plain)).toBe(true)
    expect(decoders.handedOver()).toBe(1)
    const messages = (result: Either.Either<unknown, ParseResult.ParseError>) =>
      Either.isLeft(result) ? ParseResult.ArrayFormatter.formatErrorSync(result.left) : []
    expect(messages(plain)).toEqual(messages(decoders.bySchema(page)))
    expect(new Set(messages(plain).map((issue) => issue.path.join(".")))).toEqual(new Set(["data.0.status", "data.0.openedAt"]))
  })

  it("checks a struct's type side after its field decodes, as Schema does", () => {
    // A field decode whose result breaks the field's type: only the type-side check can see it.
    const negated = Schema.Struct({
      n: Schema.optionalToRequired(Schema.Number, Schema.Number.pipe(Schema.positive()), {
        decode: Option.match({ onNone: () => 1, onSome: (n) => -n }),
        encode: (n) => Option.some(-n)
      }),
      rest: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
    })
    expect(hasPlainDecoder(negated)).toBe(true)
    const decoders = both(negated)
    for (const body of [{ n: 5 }, { n: -5 }, {}, { n: 5, rest: ["a"] }, { n: -5, rest: ["a"] }, { n: 5, rest: [1] }, { rest: ["a"] }]) {
      expect(decoders.plain(body), JSON.stringify(body)).toStrictEqual(decoders.bySchema(body))
    }
    expect(decoders.plain({ n: -5 })).toStrictEqual(Either.right({ n: 5, rest: [] }))
  })

  it("has none for a schema outside its subset, which Schema then decodes alone", () => {
    const tagged = Schema.Union(
      Schema.Struct({ kind: Schema.Literal("a"), value: Schema.String }),
      Schema.Struct({ kind: Schema.Literal("b"), value: Schema.Number })
    )
    const transformed = Schema.Struct({ at: Schema.NumberFromString })
    for (const schema of [tagged, transformed] as ReadonlyArray<Schema.Schema<unknown, unknown, never>>) {
      expect(hasPlainDecoder(schema)).toBe(false)
      const decoders = both(schema)
      expect(decoders.plain({ kind: "b", value: 1, at: "2" })).toStrictEqual(decoders.bySchema({ kind: "b", value: 1, at: "2" }))
    }
  })
})
