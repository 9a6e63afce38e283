import { NodeContext } from "@effect/platform-node"
import { Cause, Clock, Console, Duration, Effect, Exit } from "effect"
import * as nodeConsole from "node:console"
import { Writable } from "node:stream"
import { reportFailure } from "../../../src/cli/Failure.js"
import { commandNames, run } from "../../../src/cli/Main.js"
import { consoleOf } from "../../../src/cli/TerminalOutput.js"
import type { CliResult } from "./CliProcess.js"

/**
 * Runs the real `casesync` command tree (`src/cli/Main.ts`, argument parsing, views and
 * exit codes included) inside the test process, with its console captured: most tests
 * need many runs, and a spawn costs a process start each. Failures are turned into output
 * and an exit code by the same `reportFailure` as `src/bin.ts`; the tests that care about
 * the binary itself (its exit codes and stderr) spawn it instead (`CliProcess.ts`).
 */

const sink = (chunks: Array<string>) =>
  new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    }
  })

/** Runs `casesync <args>` in this process and returns what it printed and its exit code. */
export const runCli = (args: ReadonlyArray<string>): Effect.Effect<CliResult> =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const err: Array<string> = []
    const console = consoleOf(new nodeConsole.Console({ stdout: sink(out), stderr: sink(err), colorMode: false }))
    const started = performance.now()
    // The commands report their outcome through process.exitCode, as the binary does; keep the runner's own.
    const before = process.exitCode
    process.exitCode = undefined
    const exit = yield* run(["node", "casesync", ...args]).pipe(
      Effect.catchAllCause(reportFailure(["node", "casesync", ...args], commandNames)),
      Effect.provide(NodeContext.layer),
      Effect.withConsole(console),
      Effect.exit
    )
    const set = process.exitCode
    process.exitCode = before
    let exitCode = typeof set === "number" ? set : Number(set ?? 0)
    if (Exit.isFailure(exit)) {
      err.push(Cause.pretty(exit.cause))
      exitCode = 1
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
