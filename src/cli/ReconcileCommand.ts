import { Command, Options } from "@effect/cli"
import { progressOption, runOptions } from "./CommonOptions.js"
import { lazily } from "./LazyHandler.js"

// The definition only; the handler (ReconcileHandler.ts) loads when the command is chosen.

const reconcileOptions = {
  ...runOptions,
  progress: progressOption,
  report: Options.file("report").pipe(
    Options.optional,
    Options.withDescription("Markdown report to write (default <output>/reconcile.md); the HTML and JSON go beside it, same name")
  ),
  planFixes: Options.file("plan-fixes").pipe(
    Options.optional,
    Options.withDescription("Write a plan of the repairs (creates for missing, updates for drift the source owns) for `casesync apply --plan`")
  )
}

/** What `casesync reconcile` parses. */
export type ReconcileOptions = Command.Command.ParseConfig<typeof reconcileOptions>

/** `casesync reconcile`: proves the target holds what the mapping makes of the source, or shows where not. Writes nothing to the target. */
export const reconcileCommand = Command.make("reconcile", reconcileOptions, (options) =>
  lazily(() => import("./ReconcileHandler.js"), (h) => h.reconcile(options))
).pipe(Command.withDescription("Compare source, ledger and target (list calls only): missing, drift, orphans, checksums; exit 3 unless clean"))
