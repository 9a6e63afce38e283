import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import { readAt, runnerOf, wrapAs } from "../../src/mapping/CompileContext.js"
import { makeDatetimeCodec } from "../../src/mapping/Datetime.js"
import { resolveTarget } from "../../src/mapping/TargetFields.js"
import {
  checkedAgainst,
  coerced,
  composeSteps,
  copied,
  dated,
  defaulted,
  mapped,
  plainDecodeOf,
  required,
  type Step,
  trimmed,
  truncated
} from "../../src/mapping/Transformations.js"
import { caseTypes } from "./MappingFixtures.js"

const target = (path: string) => Either.getOrThrow(resolveTarget(path, caseTypes.find((t) => t.id === "101")!))
const codes = { entries: [{ from: "OPEN", to: { value: "initiated" } }, { from: "CLOSED", to: { value: "completed" } }], pos: undefined } as never

// The schema's own answer, as the runners reported it before steps had a plain form.
const bySchema = (schema: Step, input: unknown) =>
  Either.mapLeft(Schema.decodeUnknownEither(schema)(input), (error) => ParseResult.ArrayFormatter.formatErrorSync(error)[0]!.message)

const fields: ReadonlyArray<[string, Step]> = [
  ["status", composeSteps([copied, trimmed, mapped(codes, undefined), required("status"), checkedAgainst(target("status"))])],
  ["name", composeSteps([copied, trimmed, truncated(10, "…"), defaulted("none"), checkedAgainst(target("name"))])],
  ["openedAt", composeSteps([copied, dated(Either.getOrThrow(makeDatetimeCodec({ timezone: "America/New_York" }))), checkedAgainst(target("openedAt"))])],
  ["count", composeSteps([copied, trimmed, coerced("integer")])],
  ["borrower", composeSteps([readAt("who.id"), trimmed, required("who.id"), wrapAs("externalId")])]
]

const inputs: ReadonlyArray<unknown> = [
  undefined, null, "", "  ", "OPEN", " CLOSED ", "PENDING", 42, true, { who: { id: " B-1 " } }, { who: {} },
  "2023-03-12 02:30:00", "2023-11-05 01:30:00", "2023-06-01 10:00:00", "2023-06-01T10:00:00+02:00", "not a date",
  "a name far longer than ten", "７", " 12 ", "12.5", ["list"]
]

describe("steps as plain functions", () => {
  it("every composed field answers, value and message, exactly what its schema answers", () => {
    for (const [name, schema] of fields) {
      const plain = plainDecodeOf(schema)
      expect(plain, name).toBeDefined()
      const runner = runnerOf(schema, true)
      for (const input of inputs) {
        expect(plain!(input), `${name} of ${JSON.stringify(input)}`).toEqual(bySchema(schema, input))
        expect(runner.decode(input), `${name} runner of ${JSON.stringify(input)}`).toEqual(bySchema(schema, input))
      }
    }
  })

  it("a schema built elsewhere has no plain form, and its runner keeps the parser", () => {
    const other = Schema.transform(Schema.Unknown, Schema.Unknown, { strict: true, decode: (v) => v, encode: (v) => v })
    expect(plainDecodeOf(other)).toBeUndefined()
    expect(runnerOf(other, true).decode("x")).toEqual(Either.right("x"))
  })
})
