/**
 * Reads a large generated CSV through `readCsv` and reports throughput and peak memory,
 * to show that memory stays flat however large the file: `npx tsx bench/csv.ts [rows]`.
 */
import { Chunk, Effect, Stream } from "effect"
import { once } from "node:events"
import { createWriteStream } from "node:fs"
import { mkdtemp, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { CsvSourceOptions, readCsv } from "../src/sources/csv/CsvSource.js"

/** What one CSV bench run measured. */
export interface CsvBenchResult {
  readonly rows: number
  readonly records: number
  readonly unreadable: number
  readonly fileMegabytes: number
  readonly seconds: number
  readonly rowsPerSecond: number
  /** Resident set size and V8 heap in use, sampled while reading, in MiB. */
  readonly peakRssMegabytes: number
  readonly peakHeapUsedMegabytes: number
  /** The same, measured just before reading started, to compare against. */
  readonly startRssMegabytes: number
  readonly startHeapUsedMegabytes: number
}

const statuses = ["open", "pending", "closed", "escalated"]

/** One generated row; every 50th has a quoted, multi-line description with commas and quotes, every 10,000th is broken. */
const row = (i: number): string => {
  const description = i % 50 === 0
    ? `"Customer wrote: ""my card, the blue one, was declined""\nSecond line of the note, row ${i}"`
    : `Routine follow-up for account ${i}`
  const cells = [
    `C-${String(i).padStart(8, "0")}`,
    `cust-${i % 9973}`,
    statuses[i % statuses.length]!,
    `2024-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}T10:00:00Z`,
    (i % 100_000 / 100).toFixed(2),
    `Caf\u00e9 order ${i}`,
    description
  ]
  // A row with one cell too many, to keep the unreadable path in the measurement.
  if (i % 10_000 === 9_999) cells.push("extra")
  return cells.join(",") + "\r\n"
}

/** Writes a CSV of `rows` data rows to `path`, streamed with backpressure so the generator stays small too. */
const writeCsv = async (path: string, rows: number): Promise<void> => {
  const out = createWriteStream(path)
  out.write("case_id,customer_id,status,opened_at,amount,subject,description\r\n")
  for (let i = 0; i < rows; i++) {
    if (!out.write(row(i))) await once(out, "drain")
  }
  out.end()
  await once(out, "finish")
}

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10

/** Generates a CSV of `rows` rows in a temporary directory, reads it with `readCsv`, and returns the figures. */
export const runCsvBench = async (rows: number): Promise<CsvBenchResult> => {
  const dir = await mkdtemp(join(tmpdir(), "casesync-csv-bench-"))
  try {
    const path = join(dir, "cases.csv")
    await writeCsv(path, rows)
    const fileBytes = (await stat(path)).size
    globalThis.gc?.()
    const startMemory = process.memoryUsage()
    let peakRss = startMemory.rss
    let peakHeap = startMemory.heapUsed
    let records = 0
    let unreadable = 0
    let sinceSample = 0
    const started = performance.now()
    await Effect.runPromise(
      readCsv(CsvSourceOptions.make({ path })).pipe(
        Stream.runForEachChunk((chunk) =>
          Effect.sync(() => {
            for (const item of Chunk.toReadonlyArray(chunk)) {
              if (item._tag === "Record") records++
              else unreadable++
            }
            sinceSample += chunk.length
            if (sinceSample >= 10_000) {
              sinceSample = 0
              const memory = process.memoryUsage()
              peakRss = Math.max(peakRss, memory.rss)
              peakHeap = Math.max(peakHeap, memory.heapUsed)
            }
          })
        )
      )
    )
    const seconds = (performance.now() - started) / 1000
    return {
      rows,
      records,
      unreadable,
      fileMegabytes: mib(fileBytes),
      seconds: Math.round(seconds * 100) / 100,
      rowsPerSecond: Math.round(rows / seconds),
      peakRssMegabytes: mib(peakRss),
      peakHeapUsedMegabytes: mib(peakHeap),
      startRssMegabytes: mib(startMemory.rss),
      startHeapUsedMegabytes: mib(startMemory.heapUsed)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = Number(process.argv[2] ?? 1_000_000)
  if (!Number.isInteger(rows) || rows <= 0) {
    console.error("usage: npx tsx bench/csv.ts [rows]  (a positive whole number, default 1000000)")
    process.exit(2)
  }
  const result = await runCsvBench(rows)
  console.log(
    `csv: ${result.rows} rows (${result.fileMegabytes} MiB) read in ${result.seconds} s, ` +
      `${result.rowsPerSecond} rows/s; ${result.records} records, ${result.unreadable} unreadable; ` +
      `peak RSS ${result.peakRssMegabytes} MiB (start ${result.startRssMegabytes}), ` +
      `peak heap used ${result.peakHeapUsedMegabytes} MiB (start ${result.startHeapUsedMegabytes})`
  )
}
