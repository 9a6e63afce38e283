import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import { reportFailure } from "./cli/Failure.js"
import { commandNames, run } from "./cli/Main.js"
import { processConsole } from "./cli/TerminalOutput.js"

// Failures and defects are reported (message, exit code, `--json` document) by
// reportFailure; an interruption goes on to runMain. Platform modules are imported by
// path: the package index would load its HTTP client and server at every start.
run(process.argv).pipe(
  Effect.catchAllCause(reportFailure(process.argv, commandNames)),
  Effect.withConsole(processConsole()),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
