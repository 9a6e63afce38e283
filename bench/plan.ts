/**
 * `casesync plan` as a child process on generated CSVs of two sizes (the shipped mapping, an empty
 * target in a sandbox without limits): records per CPU-second (user + sys) and peak RSS, read by
 * bench/rusage.cjs at the child's exit, how RSS grows from the small size to the large one, and the
 * size of the plan file with the bytes of its average create line.
 * `npx tsx bench/plan.ts [smallRows] [largeRows]`.
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import { pathToFileURL } from "node:url"
import { startSandbox } from "../src/sandbox/SandboxServer.js"
import { runChild, writeJob } from "./migrate.js"

/** One plan run: its size, CPU and memory. */
export interface PlanRun {
  readonly rows: number
  readonly cpuSeconds: number
  readonly wallSeconds: number
  readonly recordsPerCpuSecond: number
  readonly peakRssMegabytes: number
  /** plan.json, in MB (10^6 bytes), and its create lines' average length with the separator and newline. */
  readonly planMegabytes: number
  readonly bytesPerCreateLine: number
}

/** The plan file's size and the average byte length of its create lines (`,` and newline included), read line by line. */
const planFileFigures = async (file: string) => {
  let creates = 0
  let createBytes = 0
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })
  for await (const line of lines) {
    if (!line.startsWith("{\"_tag\":\"create\"")) continue
    creates++
    createBytes += Buffer.byteLength(line) + 1
  }
  return {
    planMegabytes: Math.round(fs.statSync(file).size / 1e4) / 100,
    bytesPerCreateLine: creates === 0 ? 0 : Math.round((createBytes / creates) * 10) / 10
  }
}

/** Both sizes and the growth of peak RSS between them. */
export interface PlanBenchResult {
  readonly small: PlanRun
  readonly large: PlanRun
  readonly rssGrowth: number
}

const planOnce = (rows: number, targetUrl: string) =>
  Effect.gen(function*() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-plan-bench-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
    const config = yield* Effect.promise(() => writeJob(dir, rows, targetUrl, undefined))
    const usageFile = path.join(dir, "rusage.json")
    const run = yield* Effect.promise(() =>
      runChild(["--require", "./bench/rusage.cjs", "bin/casesync.js", "plan", "--config", config], { CASESYNC_RUSAGE_FILE: usageFile })
    )
    if (run.code !== 0 && run.code !== 3) return yield* Effect.die(new Error(`plan of ${rows} rows exited ${run.code}:\n${run.stderr}`))
    const usage = JSON.parse(fs.readFileSync(usageFile, "utf8")) as { userMicros: number; systemMicros: number; maxRssKb: number }
    const cpuSeconds = (usage.userMicros + usage.systemMicros) / 1e6
    const plan = yield* Effect.promise(() => planFileFigures(path.join(dir, "out", "bench", "plan.json")))
    return {
      rows,
      cpuSeconds: Math.round(cpuSeconds * 100) / 100,
      wallSeconds: Math.round(run.seconds * 100) / 100,
      recordsPerCpuSecond: Math.round(rows / cpuSeconds),
      peakRssMegabytes: Math.round(usage.maxRssKb / 1024),
      ...plan
    } satisfies PlanRun
  }).pipe(Effect.scoped)

/** Plans `small` and then `large` generated rows into an empty sandbox target. */
export const runPlanBench = (small: number, large: number): Promise<PlanBenchResult> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const sandbox = yield* startSandbox({ port: 0 })
    const smallRun = yield* planOnce(small, sandbox.url)
    const largeRun = yield* planOnce(large, sandbox.url)
    return { small: smallRun, large: largeRun, rssGrowth: Math.round((largeRun.peakRssMegabytes / smallRun.peakRssMegabytes) * 100) / 100 }
  })))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runPlanBench(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 1_000_000)).then((result) => console.log(JSON.stringify(result, null, 2)))
}
