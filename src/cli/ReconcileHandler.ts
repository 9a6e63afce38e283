// The handler of `casesync reconcile`, loaded only when it is chosen.
import { Console, Effect, Option } from "effect"
import * as path from "node:path"
import { loadRunConfig, type RunConfig } from "../config/RunConfig.js"
import { reconcileMigration } from "../reconcile/ReconcileMigration.js"
import { isClean } from "../reconcile/Reconciliation.js"
import { reconcileJson, reconcileView } from "../reconcile/ReconcileView.js"
import { layerProgress } from "../progress/ProgressLive.js"
import { overridesOf } from "./CommonOptions.js"
import { ExitCode } from "./ExitCodes.js"
import type { ReconcileOptions } from "./ReconcileCommand.js"
import { loadConfiguredMapping, runLayer } from "./RunContext.js"
import { shellCommand } from "./ShellWords.js"

/** Loads the mapping and reconciles: what the command and the demo run. */
export const reconcileStep = (config: RunConfig, options: { readonly report: Option.Option<string>; readonly planFixes: Option.Option<string> }) =>
  Effect.gen(function*() {
    const reportFile = Option.getOrElse(options.report, () => path.join(config.outputDir, "reconcile.md"))
    const { compiled, mapper, source } = yield* loadConfiguredMapping(config)
    return yield* reconcileMigration(config, { ...mapper, externalIdTemplate: compiled.externalIdTemplate, twoWayFields: compiled.twoWayFields }, source, {
      reportFile,
      htmlFile: `${reportFile.replace(/\.md$/i, "")}.html`,
      jsonFile: `${reportFile.replace(/\.md$/i, "")}.json`,
      fixesFile: Option.getOrUndefined(options.planFixes)
    })
  })

/** `casesync reconcile`: prints the findings (or their JSON) and exits 0 when clean, 3 when not. */
export const reconcile = (options: ReconcileOptions) =>
  Effect.gen(function*() {
    const config = yield* loadRunConfig(options.config, overridesOf(options))
    const outcome = yield* reconcileStep(config, options).pipe(Effect.provide(runLayer(config)), Effect.provide(layerProgress(options.progress, options.json)))
    const { files, reconciliation } = outcome
    if (options.json) {
      yield* Console.log(JSON.stringify({ command: "reconcile", job: config.job, reconcile: reconcileJson(reconciliation, files) }, null, 2))
    } else {
      yield* Console.log(reconcileView(reconciliation, outcome.source, config.target.baseUrl, files))
      if (files.fixes !== null && files.fixes.creates + files.fixes.updates > 0) {
        yield* Console.log(`  next:   review ${files.fixes.planFile}, then ${shellCommand(["casesync", "apply", "--config", options.config, "--plan", files.fixes.planFile])}`)
      }
    }
    process.exitCode = isClean(reconciliation) ? ExitCode.Ok : ExitCode.DoneWithIssues
  })
