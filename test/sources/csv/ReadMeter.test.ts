import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { statSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { CsvSourceOptions, ReadMeter, readCsv } from "../../../src/sources/csv/CsvSource.js"
import { tempFiles } from "./TempFiles.js"

// A CSV's progress is its bytes read against its size: the meter says how far into the file
// (the compressed file, for a .gz) reading got, so a plan of a big export has a share and an ETA.

const files = tempFiles()

const bigCsv = (rows: number) =>
  ["id,name", ...Array.from({ length: rows }, (_, i) => `${i},${"x".repeat(200)}`)].join("\n") + "\n"

const readWith = (path: string, meter: ReadMeter) => {
  const seen: Array<number> = []
  return readCsv(CsvSourceOptions.make({ path }), meter).pipe(
    Stream.mapChunks((chunk) => {
      seen.push(meter.bytesRead)
      return chunk
    }),
    Stream.runCount,
    Effect.map((count) => ({ count, seen }))
  )
}

describe("ReadMeter", () => {
  it.effect("counts the file's bytes as they are read, up to its size", () =>
    Effect.gen(function*() {
      const path = files.write("big.csv", bigCsv(5000))
      const size = statSync(path).size
      const meter = new ReadMeter()
      expect(meter.bytesRead).toBe(0)
      const { count, seen } = yield* readWith(path, meter)
      expect(count).toBe(5000)
      expect(meter.bytesRead).toBe(size)
      // Part way through, part of the file: a share between 0 and 1, growing.
      expect(seen.some((bytes) => bytes > 0 && bytes < size)).toBe(true)
      expect([...seen].sort((a, b) => a - b)).toEqual(seen)
    }))

  it.effect("counts the compressed bytes of a gzipped export, against the compressed size", () =>
    Effect.gen(function*() {
      const path = files.write("big.csv.gz", gzipSync(bigCsv(2000)))
      const meter = new ReadMeter()
      yield* readWith(path, meter)
      expect(meter.bytesRead).toBe(statSync(path).size)
    }))
})
