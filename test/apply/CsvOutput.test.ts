import { it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { neutralise, openCsvOutput } from "../../src/apply/CsvOutput.js"

describe("neutralise", () => {
  it("escapes every cell a spreadsheet would execute", () => {
    for (const cell of ["=SUM(A1:A2)", "+1", "-2+3", "@cmd", "\t=1", "\r=1"]) {
      expect(neutralise(cell)).toBe(`'${cell}`)
    }
    expect(neutralise("plain")).toBe("plain")
    expect(neutralise(null)).toBe("")
    expect(neutralise({ a: 1 })).toBe("{\"a\":1}")
  })
})

describe("openCsvOutput", () => {
  it.scoped("writes a header at once and quotes commas, quotes and newlines", () =>
    Effect.gen(function*() {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "out-")), "results.csv")
      const output = yield* openCsvOutput(file, ["key", "note"] as const)
      expect(fs.readFileSync(file, "utf8")).toBe("key,note\n")
      yield* output.write({ key: "LG-1", note: "a, \"quoted\"\nline" })
      yield* output.write({ key: "=HYPERLINK(\"x\")", note: null })
      expect(output.rows()).toBe(2)
      const rows = parse(fs.readFileSync(file, "utf8"), { columns: true })
      expect(rows).toEqual([
        { key: "LG-1", note: "a, \"quoted\"\nline" },
        { key: "'=HYPERLINK(\"x\")", note: "" }
      ])
    }))
})
