import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { CsvSourceOptions, readCsv } from "../../src/sources/csv/CsvSource.js"
import { SealingMeter } from "../../src/sources/SealingMeter.js"
import { tempFiles } from "./csv/TempFiles.js"

// A plan seals the CSV file it read (SHA-256 and size of its bytes on disk) in the same read,
// so apply can tell the file is still the one whose records the plan's creates refer to.

const files = tempFiles()

const csv = (rows: number) => ["id,name", ...Array.from({ length: rows }, (_, i) => `${i},${"é".repeat(100)}`)].join("\r\n") + "\r\n"
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex")

describe("SealingMeter", () => {
  it.effect("seals the bytes one read went through, once it reached the end of the file", () =>
    Effect.gen(function*() {
      const path = files.write("rows.csv", csv(3000))
      const meter = new SealingMeter()
      expect(meter.seal).toEqual(Option.none())
      expect(yield* Stream.runCount(readCsv(CsvSourceOptions.make({ path }), meter))).toBe(3000)
      expect(meter.seal).toEqual(Option.some({ sha256: sha256(path), size: readFileSync(path).length }))
      expect(meter.bytesRead).toBe(readFileSync(path).length)
    }))

  it.effect("a read that stops short seals nothing; the next whole read does", () =>
    Effect.gen(function*() {
      const path = files.write("short.csv", csv(20000))
      const meter = new SealingMeter()
      yield* Stream.runDrain(readCsv(CsvSourceOptions.make({ path }), meter).pipe(Stream.take(5)))
      expect(meter.seal).toEqual(Option.none())
      yield* Stream.runDrain(readCsv(CsvSourceOptions.make({ path }), meter))
      expect(Option.map(meter.seal, (seal) => seal.sha256)).toEqual(Option.some(sha256(path)))
    }))

  it.effect("seals a gzipped export's bytes as they are on disk", () =>
    Effect.gen(function*() {
      const path = files.write("rows.csv.gz", gzipSync(csv(500)))
      const meter = new SealingMeter()
      yield* Stream.runDrain(readCsv(CsvSourceOptions.make({ path }), meter))
      expect(meter.seal).toEqual(Option.some({ sha256: sha256(path), size: readFileSync(path).length }))
    }))
})
