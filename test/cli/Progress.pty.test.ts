import { it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { casesyncBin } from "../apply/e2e/CliProcess.js"
import { makeTempDir, repoRoot, samples, writeCsvConfig } from "../apply/e2e/Workspace.js"

// Progress is for the person at a terminal: `casesync migrate` run in a pseudo-terminal (util-linux
// `script`) shows frames with records, rate, share and ETA on stderr, while its stdout (redirected
// to a file, as a script would) holds only the human view; with `--json` the terminal shows no
// progress at all and stdout is one JSON document.

const hasScript = spawnSync("script", ["--version"]).status === 0

/** Runs `casesync <args>` in a pseudo-terminal with stdout sent to `stdoutFile`: what the terminal showed (stderr). */
const inTerminal = (args: ReadonlyArray<string>, stdoutFile: string) =>
  Effect.promise(() =>
    new Promise<{ terminal: string; exitCode: number | null }>((resolve, reject) => {
      const command = [process.execPath, casesyncBin, ...args].map((word) => `'${word}'`).join(" ") + ` > '${stdoutFile}'`
      const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] })
      let terminal = ""
      child.stdout.on("data", (chunk: Buffer) => void (terminal += chunk.toString()))
      child.on("error", reject)
      child.on("close", (exitCode) => resolve({ terminal, exitCode }))
    })
  )

const frame = /apply .*\d+ records \| [\d,]+\/s \| \d+% \| ETA (\d+ s|--)/
const planFrame = /plan .*\d+ records \| [\d,]+\/s \| \d+% \| ETA/

describe.skipIf(!hasScript)("progress in a terminal", () => {
  it.scopedLive("migrate shows plan and apply frames on the terminal, not in stdout; --json shows none", () =>
    Effect.gen(function*() {
      // Slow enough that the apply lasts a second or two.
      const sandbox = yield* startSandbox({ knobs: { latencyMs: 15, latencyJitterMs: 0 } })
      const dir = yield* makeTempDir("progress-pty")
      const human = path.join(dir, "human")
      fs.mkdirSync(human)
      const config = writeCsvConfig({ dir: human, csv: samples.csv, targetUrl: sandbox.url, applyConcurrency: 2 })
      const stdoutFile = path.join(dir, "stdout.txt")
      const shown = yield* inTerminal(["migrate", "--config", config], stdoutFile)

      expect(shown.exitCode, shown.terminal).toBe(3)
      expect(shown.terminal).toMatch(planFrame)
      expect(shown.terminal).toMatch(frame)
      // The last apply frame accounts for every record the plan holds.
      expect(shown.terminal).toMatch(/apply .*230 records \| [\d,]+\/s \| 100% \| ETA 0 s/)
      const stdout = fs.readFileSync(stdoutFile, "utf-8")
      expect(stdout).toMatch(/^applied plan /m)
      expect(stdout).not.toMatch(/records \|/)

      const quiet = path.join(dir, "json")
      fs.mkdirSync(quiet)
      const jsonConfig = writeCsvConfig({ dir: quiet, csv: samples.csv, targetUrl: sandbox.url, job: "legacy-csv-json", applyConcurrency: 2 })
      const jsonFile = path.join(dir, "json.txt")
      const silent = yield* inTerminal(["migrate", "--config", jsonConfig, "--json", "--progress", "always"], jsonFile)
      expect(silent.terminal).not.toMatch(/records|ETA|\u001b/)
      const document = JSON.parse(fs.readFileSync(jsonFile, "utf-8"))
      expect(document).toMatchObject({ command: "migrate", counts: { read: 230 } })
    }), { timeout: 120_000 })

  it.scopedLive("--progress never keeps a terminal quiet", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("progress-never")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url })
      const shown = yield* inTerminal(["plan", "--config", config, "--progress", "never"], path.join(dir, "stdout.txt"))
      expect(shown.exitCode, shown.terminal).toBe(3)
      expect(shown.terminal).toBe("")
    }), { timeout: 60_000 })
})
