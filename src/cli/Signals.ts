import type { Teardown } from "@effect/platform/Runtime"
import { Cause, Exit } from "effect"
import { ExitCode } from "./ExitCodes.js"

/** The signals that stop a run, and the exit code each gives (128 + its number, as shells report). */
export const stopSignals = { SIGINT: ExitCode.Interrupted, SIGTERM: ExitCode.Terminated } as const
export type StopSignal = keyof typeof stopSignals

const resume = "To resume: run the same command again; confirmed writes are never repeated and unconfirmed ones are checked first."

/**
 * Watches SIGINT and SIGTERM beside `NodeRuntime.runMain`, which interrupts the program on the
 * first one (so finalizers record the run as interrupted and release the lease) but then exits
 * 0, as for any interruption. The returned teardown gives the signal's exit code instead and
 * says how to resume. A second signal exits at once, without waiting for the writes in flight.
 */
let signalIsTheWayToStop = false

/**
 * Marks the running command as one that runs until stopped (the sandbox): a signal then ends
 * it normally, with exit code 0 and no resume hint, since there is nothing to resume.
 */
export const stopsOnSignal = (): void => {
  signalIsTheWayToStop = true
}

export const watchStopSignals = (): Teardown => {
  let received: StopSignal | undefined
  const onSignal = (signal: StopSignal) => {
    if (received === undefined) {
      received = signal
      if (signalIsTheWayToStop) return
      process.stderr.write(`casesync: ${signal}: stopping once the writes in flight are done (${signal} again to stop at once)\n`)
      return
    }
    process.stderr.write(`casesync: ${signal} again: stopped at once; writes in flight are checked by the next run.\n${resume}\n`)
    process.exit(stopSignals[received])
  }
  for (const signal of Object.keys(stopSignals) as Array<StopSignal>) process.on(signal, onSignal)

  return (exit, onExit) => {
    if (received !== undefined && signalIsTheWayToStop && Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) {
      onExit(Number(process.exitCode ?? 0))
    } else if (received !== undefined && Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) {
      process.stderr.write(`casesync: stopped by ${received}.\n${resume}\n`)
      onExit(stopSignals[received])
    } else if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
      onExit(ExitCode.Failed)
    } else {
      // A run that finished despite a late signal keeps the code it set (runMain then exits with it).
      onExit(received === undefined ? 0 : Number(process.exitCode ?? 0))
    }
  }
}
