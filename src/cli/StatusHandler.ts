// The handler of `casesync status`, loaded only when it is chosen.
import { Console, Effect } from "effect"
import { loadRunConfig } from "../config/RunConfig.js"
import { StateStore } from "../state/StateStore.js"
import { readJobStatus, requireStateStore } from "../status/ReadJobStatus.js"
import { statusJson, statusView } from "../status/StatusView.js"
import { overridesOf } from "./CommonOptions.js"
import type { StatusOptions } from "./StatusCommand.js"

/** `casesync status`: what the state store holds for the config's job; reads only, writes nothing. */
export const status = (options: StatusOptions) =>
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
