import { Args, Command, Options } from "@effect/cli"
import { runOptions } from "./CommonOptions.js"
import { lazily } from "./LazyHandler.js"

const syncOptions = {
  ...runOptions,
  once: Options.boolean("once").pipe(Options.withDescription("Run one cycle and exit (for cron or a Kubernetes CronJob)")),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription("Decide the cycle in both directions and write its report; write nothing to either system")
  )
}

/** What `casesync sync` parses. */
export type SyncOptions = Command.Command.ParseConfig<typeof syncOptions>

const resolveCreateOptions = {
  ...runOptions,
  caseId: Args.text({ name: "target-case-id" }).pipe(
    Args.withDescription("The target case whose create in the CRM was sent without an answer (named in the cycle's report)")
  ),
  crmCase: Options.text("crm-case").pipe(
    Options.optional,
    Options.withDescription("The CRM case that create made: the next cycle links it to the target case")
  ),
  notCreated: Options.boolean("not-created").pipe(
    Options.withDescription("The CRM holds no case made by it: the next cycle creates it again")
  )
}

/** What `casesync sync resolve-create` parses. */
export type ResolveCreateOptions = Command.Command.ParseConfig<typeof resolveCreateOptions>

const syncResolveCreate = Command.make("resolve-create", resolveCreateOptions, (options) =>
  lazily(() => import("./SyncHandlers.js"), (h) => h.resolveCreate(options))
).pipe(Command.withDescription(
  "Answer for a CRM create that was sent without an answer: name the CRM case it made (--crm-case) or say it made none (--not-created)"
))

/** `casesync sync [--once] [--dry-run]`: two-way sync of a CRM job, one cycle or on the config's schedule. */
export const syncCommand = Command.make("sync", syncOptions, (options) =>
  lazily(() => import("./SyncHandlers.js"), (h) => h.sync(options))
).pipe(
  Command.withDescription("Two-way sync of a CRM job: one cycle (--once) or on the config's schedule until stopped"),
  Command.withSubcommands([syncResolveCreate])
)

const conflictsOptions = { ...runOptions }

/** What `casesync conflicts` parses. */
export type ConflictsOptions = Command.Command.ParseConfig<typeof conflictsOptions>

const resolveOptions = {
  ...runOptions,
  ids: Args.text({ name: "id" }).pipe(Args.repeated),
  all: Options.boolean("all").pipe(Options.withDescription("Resolve every queued conflict of the job")),
  take: Options.text("take").pipe(
    Options.withDescription("crm (keep the CRM's value), target (keep the target's) or value=V (V in target terms, JSON or text)")
  )
}

/** What `casesync conflicts resolve` parses. */
export type ResolveOptions = Command.Command.ParseConfig<typeof resolveOptions>

const conflictsResolve = Command.make("resolve", resolveOptions, (options) =>
  lazily(() => import("./SyncHandlers.js"), (h) => h.resolve(options))
).pipe(Command.withDescription("Choose the value of queued conflicts; the next cycle writes it where needed"))

/** `casesync conflicts [resolve <id…|--all> --take crm|target|value=…]`. */
export const conflictsCommand = Command.make("conflicts", conflictsOptions, (options) =>
  lazily(() => import("./SyncHandlers.js"), (h) => h.conflicts(options))
).pipe(
  Command.withDescription("List the job's queued sync conflicts (record, field, base, CRM and target values, since when)"),
  Command.withSubcommands([conflictsResolve])
)
