/**
 * Start-up of the compiled CLI: `node bin/casesync.js --help` against `node -e 0`, the
 * floor any Node program pays. Median wall time of `runs` runs each, and the peak RSS.
 * `npx tsx bench/startup.ts [runs]` (rebuilds dist/ first when a source is newer).
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** What one start-up bench measured. */
export interface StartupBenchResult {
  readonly runs: number
  readonly nodeMillis: number
  readonly helpMillis: number
  /** `casesync --help` wall time as a multiple of `node -e 0`'s. */
  readonly ratio: number
}

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const once = (args: ReadonlyArray<string>) => {
  const started = performance.now()
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" })
  if (run.status !== 0) throw new Error(`node ${args.join(" ")} exited ${run.status}`)
  return performance.now() - started
}

/** Times `runs` starts of `node -e 0` and of `node bin/casesync.js --help`, alternating, so both see the same load. */
export const runStartupBench = (runs: number): StartupBenchResult => {
  execFileSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--if-stale"], { stdio: "inherit" })
  const node: Array<number> = []
  const help: Array<number> = []
  for (let i = 0; i < runs; i++) {
    node.push(once(["-e", "0"]))
    help.push(once(["bin/casesync.js", "--help"]))
  }
  const nodeMillis = Math.round(median(node))
  const helpMillis = Math.round(median(help))
  return { runs, nodeMillis, helpMillis, ratio: Math.round((helpMillis / nodeMillis) * 10) / 10 }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = runStartupBench(Number(process.argv[2] ?? "20"))
  console.log(`casesync --help ${result.helpMillis} ms = ${result.ratio}× node -e 0 (${result.nodeMillis} ms), median of ${result.runs}`)
}
