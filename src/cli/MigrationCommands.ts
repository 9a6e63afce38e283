import { Command, Options } from "@effect/cli"
import { progressOption, runOptions } from "./CommonOptions.js"
import { lazily } from "./LazyHandler.js"

// The definitions only; the handlers (MigrationHandlers.ts) load when a command is chosen.

const outOption = Options.file("out").pipe(Options.optional, Options.withDescription("Plan file to write (default <output>/plan.json)"))
const reportOption = Options.file("report").pipe(Options.optional, Options.withDescription("Markdown report to write (default <output>/report.md); the HTML report goes beside it, same name with .html"))
const onlyRejectsOption = Options.file("only-rejects").pipe(
  Options.optional,
  Options.withDescription("Plan only the records of this rejects file (from an earlier apply); the rest count as skipped")
)

const planOptions = { ...runOptions, progress: progressOption, out: outOption, report: reportOption, onlyRejects: onlyRejectsOption }
const applyOptions = { ...runOptions, progress: progressOption, plan: Options.file("plan").pipe(Options.withDescription("The reviewed plan file to execute")) }
const migrateOptions = {
  ...planOptions,
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("Only plan (same as `casesync plan`)"))
}

/** What `casesync plan` parses. */
export type PlanOptions = Command.Command.ParseConfig<typeof planOptions>
/** What `casesync apply` parses. */
export type ApplyOptions = Command.Command.ParseConfig<typeof applyOptions>
/** What `casesync migrate` parses. */
export type MigrateOptions = Command.Command.ParseConfig<typeof migrateOptions>

const handlers = () => import("./MigrationHandlers.js")

/** `casesync plan`: the dry run. Writes the plan file and report; makes no write request to the target. */
export const planCommand = Command.make("plan", planOptions, (options) => lazily(handlers, (h) => h.plan(options))).pipe(
  Command.withDescription("Plan a migration (dry run): write the plan file and a report, change nothing")
)

/** `casesync apply --plan F`: executes exactly the reviewed plan. */
export const applyCommand = Command.make("apply", applyOptions, (options) => lazily(handlers, (h) => h.apply(options))).pipe(
  Command.withDescription("Apply a reviewed plan; items whose target changed since the plan are refused as conflicts")
)

/** `casesync migrate`: plan, then apply that plan, in one go (`--dry-run` stops after the plan). */
export const migrateCommand = Command.make("migrate", migrateOptions, (options) => lazily(handlers, (h) => h.migrate(options))).pipe(
  Command.withDescription("Plan and apply a migration in one go; safe to run again, and to resume after a crash")
)
