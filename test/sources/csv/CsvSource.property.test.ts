import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import fc from "fast-check"
import { CsvSourceOptions, readCsv } from "../../../src/sources/csv/CsvSource.js"
import { tempFiles } from "./TempFiles.js"

const files = tempFiles()

/** Strings rich in what CSV must get right: delimiters, quotes, every line end, BOMs, U+FFFD, astral characters. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.array(
    fc.constantFrom(",", ";", "\t", "|", "\"", "'", "\n", "\r\n", "\r", " ", "a", "é", "€", "😀", "\uFEFF", "\uFFFD", ""),
    { maxLength: 8 }
  ).map((parts) => parts.join(""))
)

const table = fc.uniqueArray(text.map((name) => name.trim()).filter((name) => name !== ""), {
  minLength: 1,
  maxLength: 5
}).chain((names) =>
  fc.record({
    names: fc.constant(names),
    rows: fc.array(fc.array(text, { minLength: names.length, maxLength: names.length }), { maxLength: 8 }),
    delimiter: fc.constantFrom(",", ";", "\t", "|"),
    lineEnd: fc.constantFrom("\n", "\r\n", "\r"),
    quoteAll: fc.boolean(),
    bom: fc.boolean(),
    finalLineEnd: fc.boolean()
  })
)
type Table = typeof table extends fc.Arbitrary<infer T> ? T : never

/** Writes a table the way a careful CSV writer does, and notes the line each data row starts on. */
const writeCsv = (t: Table): { content: string; lines: Array<number> } => {
  const field = (cell: string) =>
    t.quoteAll || cell.includes(t.delimiter) || /["\r\n]/.test(cell) || (t.names.length === 1 && cell === "")
      ? `"${cell.replaceAll("\"", "\"\"")}"`
      : cell
  let content = (t.bom ? "\uFEFF" : "") + t.names.map(field).join(t.delimiter)
  const lines: Array<number> = []
  t.rows.forEach((row) => {
    content += t.lineEnd
    lines.push(content.split(/\r\n|\r|\n/).length)
    content += row.map(field).join(t.delimiter)
  })
  if (t.finalLineEnd) content += t.lineEnd
  return { content, lines }
}

describe("readCsv round trip", () => {
  it("reads back any table written with proper CSV quoting, each row at the line it starts on", async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(table, async (t) => {
        const { content, lines } = writeCsv(t)
        const path = files.write(`table-${run++}.csv`, content)
        const items = await Effect.runPromise(
          Stream.runCollect(readCsv(CsvSourceOptions.make({ path, delimiter: t.delimiter })))
        )
        expect(Chunk.toReadonlyArray(items)).toEqual(
          t.rows.map((row, i) => ({
            _tag: "Record",
            location: { _tag: "csv", file: path, line: lines[i] },
            data: Object.fromEntries(t.names.map((name, column) => [name, row[column]]))
          }))
        )
      }),
      { numRuns: 200 }
    )
  })
})
