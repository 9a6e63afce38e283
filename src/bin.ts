import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import { reportFailure } from "./cli/Failure.js"
import { commandNames, run } from "./cli/Main.js"
import { watchStopSignals } from "./cli/Signals.js"
import { processConsole } from "./cli/TerminalOutput.js"

// Failures and defects are reported (message, exit code, `--json` document) by
// reportFailure; an interruption goes on to runMain. Platform modules are imported by
// path: the package index would load its HTTP client and server at every start.
run(process.argv).pipe(
  Effect.catchAllCause(reportFailure(process.argv, commandNames)),
  Effect.withConsole(processConsole()),
  Effect.provide(NodeContext.layer),
  // SIGINT/SIGTERM interrupt the run (finalizers record it and release the lease); this teardown
  // makes the exit code 130/143 instead of runMain's 0, and a second signal exit at once.
  NodeRuntime.runMain({ teardown: watchStopSignals() })
)
