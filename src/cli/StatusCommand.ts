import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { loadRunConfig } from "../config/RunConfig.js"
import { StateStore } from "../state/StateStore.js"
import { readJobStatus, requireStateStore } from "../status/ReadJobStatus.js"
import { statusJson, statusView } from "../status/StatusView.js"
import { overridesOf, runOptions } from "./CommonOptions.js"

/** `casesync status`: what the state store holds for the config's job; reads only, writes nothing. */
export const statusCommand = Command.make(
  "status",
  {
    ...runOptions,
    runs: Options.integer("runs").pipe(Options.withDefault(10), Options.withDescription("How many of the latest runs to list"))
  },
  (options) =>
    Effect.gen(function*() {
      const config = yield* loadRunConfig(options.config, overridesOf(options))
      yield* requireStateStore(config.job, config.state)
      const status = yield* readJobStatus({
        job: config.job,
        state: config.state,
        configDigest: config.digest,
        runLimit: Math.max(0, options.runs)
      }).pipe(Effect.provide(StateStore.layerFromUrl(config.state)))
      yield* Console.log(options.json ? JSON.stringify(statusJson(status), null, 2) : statusView(status))
    })
).pipe(Command.withDescription("Show a job's runs, ledger rows by write state, open conflicts and who holds its lease"))
