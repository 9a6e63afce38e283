import { Command } from "@effect/cli"
import { countOption, runOptions } from "./CommonOptions.js"
import { lazily } from "./LazyHandler.js"

const statusOptions = {
  ...runOptions,
  runs: countOption("runs", 10, "How many of the latest runs to list")
}

/** What `casesync status` parses. */
export type StatusOptions = Command.Command.ParseConfig<typeof statusOptions>

/** `casesync status`: what the state store holds for the config's job; reads only, writes nothing. */
export const statusCommand = Command.make("status", statusOptions, (options) =>
  lazily(() => import("./StatusHandler.js"), (h) => h.status(options))
).pipe(Command.withDescription("Show a job's runs, ledger rows by write state, open conflicts and who holds its lease"))
