import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import { repoRoot } from "./Workspace.js"

/** `bin/casesync.js`, the entry point `npx casesync` runs. */
export const casesyncBin = path.join(repoRoot, "bin/casesync.js")

/** How a CLI run ended and what it printed. */
export interface CliResult {
  /** The exit code; null when a signal ended the process. */
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

/** A `casesync` child process while it runs: its output so far, a way to wait for a line, and its end. */
export interface RunningCli {
  readonly child: ChildProcess
  readonly startedAt: number
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves with the time (ms since `startedAt`) stdout first matches; never resolves if the process ends before. */
  readonly when: (pattern: RegExp) => Promise<number>
  readonly exited: Promise<CliResult>
}

/** Starts `node bin/casesync.js <args>` in the repository root, as a person runs it. */
export const startCli = (args: ReadonlyArray<string>): RunningCli => {
  const startedAt = performance.now()
  const child = spawn(process.execPath, [casesyncBin, ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  const waiters: Array<{ pattern: RegExp; resolve: (at: number) => void }> = []
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(stdout)) waiter.resolve(performance.now() - startedAt)
      else waiters.push(waiter)
    }
  })
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (exitCode, signal) =>
      resolve({ exitCode, signal, stdout, stderr, millis: performance.now() - startedAt }))
  })
  return {
    child,
    startedAt,
    stdout: () => stdout,
    stderr: () => stderr,
    when: (pattern) =>
      new Promise((resolve) => {
        if (pattern.test(stdout)) resolve(performance.now() - startedAt)
        else waiters.push({ pattern, resolve })
      }),
    exited
  }
}

/** Runs `casesync <args>` in a child process to its end; killed when the calling fiber is interrupted. */
export const spawnCli = (args: ReadonlyArray<string>): Effect.Effect<CliResult> =>
  Effect.acquireUseRelease(
    Effect.sync(() => startCli(args)),
    (running) => Effect.promise(() => running.exited),
    (running) => Effect.sync(() => void (running.child.exitCode === null && running.child.signalCode === null && running.child.kill("SIGKILL")))
  )
