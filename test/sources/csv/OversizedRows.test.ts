import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import fc from "fast-check"
import { Buffer } from "node:buffer"
import { CsvSourceOptions, readCsv } from "../../../src/sources/csv/CsvSource.js"
import { keptCharacters, OversizedRows, RecordGuard } from "../../../src/sources/csv/RecordGuard.js"
import type { SourceItem } from "../../../src/sources/SourceRecord.js"
import { tempFiles } from "./TempFiles.js"

const files = tempFiles()

const read = (path: string, options: Partial<Omit<CsvSourceOptions, "path">> = {}) =>
  Effect.map(Stream.runCollect(readCsv(CsvSourceOptions.make({ path, ...options }))), Chunk.toReadonlyArray)

const lineOf = (item: SourceItem) => (item.location._tag === "csv" ? item.location.line : -1)

/** Each item as line and either its id cell or "reject". */
const outline = (items: ReadonlyArray<SourceItem>) =>
  items.map((item) => [lineOf(item), item._tag === "Record" ? item.data["id"] : "reject"])

describe("a row longer than maxRecordSize", () => {
  it.effect("is one reject naming maxRecordSize, and every row after it is read, on its own line", () =>
    Effect.gen(function*() {
      const long = "x".repeat(5_000)
      const path = files.write(
        "long-middle.csv",
        `id,note\r\n1,short\r\n2,"${long}\nsecond line ${long}"\r\n3,after\r\n4,${long}\r\n5,"multi\nline"\r\n6,last`
      )
      const items = yield* read(path, { maxRecordSize: 1_000 })
      expect(outline(items)).toEqual([[2, "1"], [3, "reject"], [5, "3"], [6, "reject"], [7, "5"], [9, "6"]])
      const [quoted, plain] = items.filter((item) => item._tag === "Unreadable")
      expect(quoted!._tag === "Unreadable" && quoted!.reason).toMatch(/^row longer than maxRecordSize \(1000 characters\): it has \d+ characters over 2 lines/)
      expect(plain!._tag === "Unreadable" && plain!.reason).toContain("raise source.maxRecordSize")
      // The reject keeps the start of the row, where its key is, not the whole of it.
      expect(quoted!._tag === "Unreadable" && quoted!.raw).toBe(`2,"${long}`.slice(0, keptCharacters))
      expect(items.find((item) => item._tag === "Record" && item.data["id"] === "5")).toMatchObject({ data: { note: "multi\nline" } })
    }))

  it.effect("an oversized header row is a broken header, not a reject", () =>
    Effect.gen(function*() {
      const path = files.write("long-header.csv", `${"h".repeat(2_000)},b\n1,2\n`)
      const error = yield* Effect.flip(read(path, { maxRecordSize: 1_000 }))
      expect(error.reason).toBe("InvalidHeader")
      expect(error.detail).toContain("maxRecordSize")
    }))

  it.effect("a file of rows near the limit reads exactly as without a limit", () =>
    Effect.gen(function*() {
      const rows = Array.from({ length: 300 }, (_, i) => `${i},"${"é".repeat(i % 97)}""q"",${"z".repeat((i * 7) % 90)}"`)
      const path = files.write("near.csv", `id,note\n${rows.join("\r\n")}\n`)
      const limited = yield* read(path, { maxRecordSize: 200 })
      const unlimited = yield* read(path, { maxRecordSize: 100_000_000 })
      expect(limited).toEqual(unlimited)
      expect(limited.every((item) => item._tag === "Record")).toBe(true)
    }))
})

// == any table, any limit: each row is its record or, when longer than the limit, one reject at its line

const cell = fc.array(fc.constantFrom(",", ";", "\"", "'", "\\", "\n", "\r\n", "\r", " ", "a", "é", "😀", ""), { maxLength: 30 })
  .map((parts) => parts.join(""))

const dialects = [
  { quote: "\"", escape: "\"", delimiter: "," },
  { quote: "'", escape: "\\", delimiter: ";" }
] as const

const table = fc.record({
  dialect: fc.constantFrom(...dialects),
  rows: fc.array(fc.tuple(cell, cell, cell), { maxLength: 12 }),
  // Which cells are written bare when they can be (no delimiter or line break, not starting with a
  // quote): a quote inside a bare cell is text (relax_quotes), and the guard must read it so too.
  bare: fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }),
  lineEnd: fc.constantFrom("\n", "\r\n", "\r"),
  maxRecordSize: fc.integer({ min: 12, max: 80 })
})

describe("a row longer than maxRecordSize, in any table", () => {
  it("leaves every other row as it was, at the line it starts on", async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(table, async (t) => {
        const { delimiter, escape, quote } = t.dialect
        const escaped = (text: string) =>
          escape === quote ? text.replaceAll(quote, quote + quote) : text.replace(/[\\']/g, (c) => escape + c)
        const canBeBare = (text: string) =>
          text !== "" && !text.includes(delimiter) && !/[\r\n]/.test(text) && !text.startsWith(quote)
        const field = (text: string, bare: boolean) => bare && canBeBare(text) ? text : `${quote}${escaped(text)}${quote}`
        let content = ["id", "a", "b"].join(delimiter)
        const expected: Array<{ line: number; tooLong: boolean; data: Record<string, string> }> = []
        t.rows.forEach(([id, a, b], r) => {
          content += t.lineEnd
          const row = [id, a, b].map((text, c) => field(text, t.bare[3 * r + c]!)).join(delimiter)
          expected.push({ line: content.split(/\r\n|\r|\n/).length, tooLong: row.length > t.maxRecordSize, data: { id, a, b } })
          content += row
        })
        content += t.lineEnd
        const path = files.write(`property-${run++}.csv`, content)
        const items = Chunk.toReadonlyArray(
          await Effect.runPromise(Stream.runCollect(readCsv(CsvSourceOptions.make({ path, ...t.dialect, maxRecordSize: t.maxRecordSize }))))
        )
        expect(items.map((item) => [lineOf(item), item._tag === "Record" ? item.data : "too long"])).toEqual(
          expected.map((row) => [row.line, row.tooLong ? "too long" : row.data])
        )
        for (const item of items) if (item._tag === "Unreadable") expect(item.reason).toContain("maxRecordSize")
      }),
      { numRuns: 300 }
    )
  })
})

describe("RecordGuard", () => {
  it("holds no more than maxRecordSize characters (plus one chunk) of a row of many megabytes", async () => {
    const guard = new RecordGuard({ delimiter: ",", quote: "\"", escape: "\"", maxRecordSize: 10_000 }, new OversizedRows([",", "\""]))
    let passed = 0
    guard.on("data", (chunk: Buffer) => {
      passed += chunk.length
    })
    const chunk = Buffer.from("y".repeat(65_536))
    let held = 0
    guard.write(Buffer.from("id,note\n1,\""))
    for (let i = 0; i < 320; i++) {
      guard.write(chunk)
      held = Math.max(held, guard.heldCharacters)
    }
    guard.end(Buffer.from("\"\n2,next\n"))
    await new Promise((resolve) => guard.on("end", resolve))
    expect(held).toBeLessThanOrEqual(10_000 + 65_536 * 2)
    // What went on to the parser: the header, a marker row, the next row; not the 20 MB.
    expect(passed).toBeLessThan(1_000)
  })
})
