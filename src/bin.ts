import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect } from "effect"
import { ExitCode, exitCodeForError } from "./cli/ExitCodes.js"
import { run } from "./cli/Main.js"

const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" && error.message !== ""
    ? error.message
    : Cause.pretty(Cause.fail(error))

// Expected failures are printed as their message (which says what failed and how to
// go on) and mapped to the documented exit code; defects still get a full report.
run(process.argv).pipe(
  Effect.catchAll((error) =>
    Effect.gen(function*() {
      // @effect/cli has already shown argument errors together with the usage.
      const code = exitCodeForError(error)
      if (!ValidationError.isValidationError(error)) {
        const message = describe(error)
        yield* Console.error(`casesync: ${message}`)
        if (code === ExitCode.Failed && !message.includes("To resume")) {
          yield* Console.error("To resume: fix the cause, then run the same command again; confirmed writes are never repeated.")
        }
      }
      process.exitCode = code
    })
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
