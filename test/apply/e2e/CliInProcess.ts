import { NodeContext } from "@effect/platform-node"
import { Cause, Clock, Console, Duration, Effect, Exit } from "effect"
import * as nodeConsole from "node:console"
import { Writable } from "node:stream"
import { exitCodeForError } from "../../../src/cli/ExitCodes.js"
import { run } from "../../../src/cli/Main.js"
import type { CliResult } from "./CliProcess.js"

/**
 * Runs the real `casesync` command tree (`src/cli/Main.ts`, argument parsing, views and
 * exit codes included) inside the test process, with its console captured: a spawn
 * costs seconds of tsx start-up, and most tests need many runs. Failures are turned into
 * output and an exit code the way `src/bin.ts` does; the tests that care about the
 * binary itself (its exit codes and stderr) spawn it instead (`CliProcess.ts`).
 */

const sink = (chunks: Array<string>) =>
  new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    }
  })

// An Effect console over a Node console that writes into memory.
const capturing = (unsafe: globalThis.Console): Console.Console => ({
  [Console.TypeId]: Console.TypeId,
  assert: (condition, ...args) => Effect.sync(() => unsafe.assert(condition, ...args)),
  clear: Effect.void,
  count: (label) => Effect.sync(() => unsafe.count(label)),
  countReset: (label) => Effect.sync(() => unsafe.countReset(label)),
  debug: (...args) => Effect.sync(() => unsafe.debug(...args)),
  dir: (item, options) => Effect.sync(() => unsafe.dir(item, options)),
  dirxml: (...args) => Effect.sync(() => unsafe.dirxml(...args)),
  error: (...args) => Effect.sync(() => unsafe.error(...args)),
  group: (options) => Effect.sync(() => unsafe.group(options?.label)),
  groupEnd: Effect.sync(() => unsafe.groupEnd()),
  info: (...args) => Effect.sync(() => unsafe.info(...args)),
  log: (...args) => Effect.sync(() => unsafe.log(...args)),
  table: (data, properties) => Effect.sync(() => unsafe.table(data, properties)),
  time: (label) => Effect.sync(() => unsafe.time(label)),
  timeEnd: (label) => Effect.sync(() => unsafe.timeEnd(label)),
  timeLog: (label, ...args) => Effect.sync(() => unsafe.timeLog(label, ...args)),
  trace: (...args) => Effect.sync(() => unsafe.trace(...args)),
  warn: (...args) => Effect.sync(() => unsafe.warn(...args)),
  unsafe
})

const describeError = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" && error.message !== ""
    ? error.message
    : Cause.pretty(Cause.fail(error))

/** Runs `casesync <args>` in this process and returns what it printed and its exit code. */
export const runCli = (args: ReadonlyArray<string>): Effect.Effect<CliResult> =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const err: Array<string> = []
    const console = capturing(new nodeConsole.Console({ stdout: sink(out), stderr: sink(err), colorMode: false }))
    const started = performance.now()
    // The commands report their outcome through process.exitCode, as the binary does; keep the runner's own.
    const before = process.exitCode
    process.exitCode = undefined
    const exit = yield* run(["node", "casesync", ...args]).pipe(
      Effect.provide(NodeContext.layer),
      Effect.withConsole(console),
      Effect.exit
    )
    const set = process.exitCode
    process.exitCode = before
    let exitCode = typeof set === "number" ? set : Number(set ?? 0)
    if (Exit.isFailure(exit)) {
      const failure = Cause.failureOption(exit.cause)
      if (failure._tag === "Some") {
        err.push(`casesync: ${describeError(failure.value)}\n`)
        exitCode = exitCodeForError(failure.value)
      } else {
        err.push(Cause.pretty(exit.cause))
        exitCode = 1
      }
    }
    return { exitCode, signal: null, stdout: out.join(""), stderr: err.join(""), millis: performance.now() - started }
  })

/**
 * The clock as it will read `ahead` from now, for running a command "later" without waiting:
 * a lease left by a killed run is taken over once it expired, as a person retrying after the
 * printed expiry would see. Sleeps stay real.
 */
export const clockAhead = (ahead: Duration.DurationInput): Clock.Clock => {
  const real = Clock.make()
  const offset = Duration.toMillis(ahead)
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => real.unsafeCurrentTimeMillis() + offset,
    unsafeCurrentTimeNanos: () => real.unsafeCurrentTimeNanos() + BigInt(offset) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => real.unsafeCurrentTimeMillis() + offset),
    currentTimeNanos: Effect.sync(() => real.unsafeCurrentTimeNanos() + BigInt(offset) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
}
