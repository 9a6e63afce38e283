/**
 * `casesync plan` as a child process on generated CSVs of two sizes (the shipped mapping, an empty
 * target in a sandbox without limits): records per CPU-second (user + sys) and peak RSS, read by
 * bench/rusage.cjs at the child's exit, how RSS grows from the small size to the large one, and the
 * size of the plan file each run wrote (every item a create: the target is empty).
 * `npx tsx bench/plan.ts [smallRows] [largeRows]`.
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileURLToPath, pathToFileURL } from "node:url"
import { startSandbox } from "../src/sandbox/SandboxServer.js"
import { parserOptions } from "../src/sources/csv/CsvSource.js"
import { runMeasuredChild, writeJob } from "./migrate.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** The plan file a run wrote: its size, its counts line's creates, and the bytes its create lines take. */
export interface PlanFileFigures {
  readonly planBytes: number
  readonly planMegabytes: number
  readonly creates: number
  /** Bytes of the create item lines (separator and newline included) over their number. */
  readonly bytesPerCreateLine: number
}

/** One plan run: its size, CPU and memory, and its plan file. */
export interface PlanRun extends PlanFileFigures {
  readonly rows: number
  readonly cpuSeconds: number
  readonly wallSeconds: number
  readonly recordsPerCpuSecond: number
  readonly peakRssMegabytes: number
  /** The plan's `read N = to create … + skipped …` line, as it printed it. */
  readonly decisions: string
  /** csv-parse alone over the same file, measured the same way: as it comes, and with casesync's options. */
  readonly csvParseAlone: { readonly defaults: CsvParseRun; readonly casesync: CsvParseRun }
}

/** One child process that only parses the file with csv-parse. */
export interface CsvParseRun {
  readonly cpuSeconds: number
  readonly rowsPerCpuSecond: number
}

/** What every plan pays whatever its size: a one-row plan, and Node's own start, measured the same way. */
export interface FixedStart {
  readonly oneRowPlanCpuSeconds: number
  readonly nodeCpuSeconds: number
}

/** Both sizes, the growth of peak RSS between them, and the fixed start. */
export interface PlanBenchResult {
  readonly small: PlanRun
  readonly large: PlanRun
  readonly rssGrowth: number
  readonly fixedStart: FixedStart
}

/**
 * The most records per CPU-second a plan of `run.rows` could reach on this machine if it paid
 * the one-row plan's start and csv-parse's reading (with casesync's options) and nothing else:
 * Node's own start, in both figures, is counted once.
 */
export const planCeiling = (run: PlanRun, fixed: FixedStart): number =>
  Math.round(run.rows / (fixed.oneRowPlanCpuSeconds + run.csvParseAlone.casesync.cpuSeconds - fixed.nodeCpuSeconds))

/** Reads a finished plan file once, line by line: its create lines' bytes and its counts line. */
export const planFileFigures = async (file: string): Promise<PlanFileFigures> => {
  const planBytes = fs.statSync(file).size
  let createLines = 0
  let createBytes = 0
  let creates: number | undefined
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    if (line.startsWith("{\"_tag\":\"create\"")) {
      createLines++
      createBytes += Buffer.byteLength(line) + 1
    } else if (line.startsWith("\"counts\": ")) {
      creates = (JSON.parse(line.slice("\"counts\": ".length).replace(/,$/, "")) as { create: number }).create
    }
  }
  if (creates === undefined) throw new Error(`plan file ${file} has no counts line: the plan did not finish`)
  return {
    planBytes,
    planMegabytes: Math.round(planBytes / 1e5) / 10,
    creates,
    bytesPerCreateLine: createLines === 0 ? 0 : Math.round(createBytes / createLines)
  }
}

/**
 * `casesync plan` of `rows` generated rows against `targetUrl` as a child process, in a temporary
 * job folder: CPU and peak RSS from bench/rusage.cjs, and the plan file's figures, read before the
 * folder is removed.
 */
export const planOnce = (rows: number, targetUrl: string) =>
  Effect.gen(function*() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-plan-bench-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
    const config = yield* Effect.promise(() => writeJob(dir, rows, targetUrl, undefined))
    const usageFile = path.join(dir, "rusage.json")
    const run = yield* Effect.promise(() => runMeasuredChild(["bin/casesync.js", "plan", "--config", config], usageFile))
    const usage = run.usage
    if ((run.code !== 0 && run.code !== 3) || usage === undefined) {
      return yield* Effect.die(new Error(`plan of ${rows} rows exited ${run.code}:\n${run.stderr}`))
    }
    // The plan prints where it wrote the file, relative to its working directory (the repository root).
    const planPath = /^\s*plan:\s+(.+)$/m.exec(run.stdout)?.[1]
    if (planPath === undefined) return yield* Effect.die(new Error(`plan of ${rows} rows printed no plan file:\n${run.stdout}`))
    const planFile = yield* Effect.promise(() => planFileFigures(path.resolve(root, planPath.trim())))
    const cpuSeconds = usage.cpuSeconds
    const parseAlone = (options: Readonly<Record<string, unknown>>) =>
      Effect.gen(function*() {
        const parsed = yield* Effect.promise(() =>
          runMeasuredChild(["bench/csvParseAlone.mjs", path.join(dir, "cases.csv"), JSON.stringify(options)], usageFile)
        )
        if (parsed.code !== 0 || parsed.usage === undefined) {
          return yield* Effect.die(new Error(`csv-parse alone exited ${parsed.code}:\n${parsed.stderr}`))
        }
        const { rows: parsedRows } = JSON.parse(parsed.stdout) as { rows: number }
        const seconds = parsed.usage.cpuSeconds
        return { cpuSeconds: Math.round(seconds * 100) / 100, rowsPerCpuSecond: Math.round(parsedRows / seconds) } satisfies CsvParseRun
      })
    const csvParseAlone = { defaults: yield* parseAlone({}), casesync: yield* parseAlone(parserOptions) }
    return {
      rows,
      cpuSeconds: Math.round(cpuSeconds * 100) / 100,
      wallSeconds: Math.round(run.seconds * 100) / 100,
      recordsPerCpuSecond: Math.round(rows / cpuSeconds),
      peakRssMegabytes: Math.round(usage.maxRssKb / 1024),
      decisions: /read \d+ = .*/.exec(run.stdout)?.[0] ?? "(no counts line printed)",
      csvParseAlone,
      ...planFile
    } satisfies PlanRun
  }).pipe(Effect.scoped)

/** Plans `small` and then `large` generated rows into an empty sandbox target. */
export const runPlanBench = (small: number, large: number): Promise<PlanBenchResult> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const sandbox = yield* startSandbox({ port: 0 })
    const oneRow = yield* planOnce(1, sandbox.url)
    const node = yield* Effect.promise(() => runMeasuredChild(["-e", "0"], path.join(os.tmpdir(), `casesync-node-rusage-${process.pid}.json`)))
    if (node.usage === undefined) return yield* Effect.die(new Error(`node -e 0 wrote no usage:\n${node.stderr}`))
    const smallRun = yield* planOnce(small, sandbox.url)
    const largeRun = yield* planOnce(large, sandbox.url)
    return {
      small: smallRun,
      large: largeRun,
      rssGrowth: Math.round((largeRun.peakRssMegabytes / smallRun.peakRssMegabytes) * 100) / 100,
      fixedStart: { oneRowPlanCpuSeconds: oneRow.cpuSeconds, nodeCpuSeconds: Math.round(node.usage.cpuSeconds * 100) / 100 }
    }
  })))

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runPlanBench(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 1_000_000)).then((result) => console.log(JSON.stringify(result, null, 2)))
}
