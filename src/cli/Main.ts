import { Command, CommandDescriptor } from "@effect/cli"
import { hoistLogLevel } from "./Arguments.js"
import { demoCommand } from "./DemoCommand.js"
import { initCommand } from "./InitCommand.js"
import { previewCommand, validateCommand } from "./MappingCommands.js"
import { applyCommand, migrateCommand, planCommand } from "./MigrationCommands.js"
import { reconcileCommand } from "./ReconcileCommand.js"
import { sandboxCommand } from "./SandboxCommand.js"
import { statusCommand } from "./StatusCommand.js"
import { conflictsCommand, syncCommand } from "./SyncCommand.js"

/** Every `casesync` subcommand. To add one, append it here. */
const subcommands = [
  validateCommand,
  previewCommand,
  planCommand,
  applyCommand,
  migrateCommand,
  reconcileCommand,
  statusCommand,
  initCommand,
  demoCommand,
  sandboxCommand,
  syncCommand,
  conflictsCommand
] as const

/** The subcommands' names, as typed on the command line. */
export const commandNames: ReadonlyArray<string> = subcommands.flatMap((command) => [...CommandDescriptor.getNames(command.descriptor)])

/** The `casesync` root command. */
export const casesync = Command.make("casesync").pipe(
  Command.withDescription("Move servicing cases from legacy systems into a Peach-style case API, idempotently"),
  Command.withSubcommands(subcommands)
)

const runCasesync = Command.run(casesync, { name: "casesync", version: "0.1.0" })

/** Parses `process.argv` (`--log-level` in any position) and runs the chosen subcommand. */
export const run = (argv: ReadonlyArray<string>) => runCasesync(hoistLogLevel(argv))
