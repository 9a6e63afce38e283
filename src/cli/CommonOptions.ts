import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Option } from "effect"
import type { RunConfigOverrides } from "../config/RunConfig.js"
import { progressChoices } from "../progress/ProgressMode.js"

/** `--NAME N`: how many of something to show, 1 or more (0 or a negative count is a usage error, not an empty answer). */
export const countOption = (name: string, fallback: number, description: string) =>
  Options.integer(name).pipe(
    Options.mapEffect((n) =>
      n >= 1 ? Effect.succeed(n) : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--${name} ${n}: give a count of 1 or more`)))
    ),
    Options.withDefault(fallback),
    Options.withDescription(description)
  )

/** `--config F`: the run configuration file. */
export const configOption = Options.file("config").pipe(
  Options.withAlias("c"),
  Options.withDefault("casesync.yaml"),
  Options.withDescription("Run configuration file (YAML)")
)

/** `--target-url URL`: overrides `target.baseUrl`. */
export const targetUrlOption = Options.text("target-url").pipe(
  Options.optional,
  Options.withDescription("Target API base URL (overrides target.baseUrl)")
)

/** `--state PATH|URL`: overrides `state`. */
export const stateOption = Options.text("state").pipe(
  Options.optional,
  Options.withDescription("State store: SQLite file or postgres://… URL (overrides state)")
)

/** `--out-dir DIR`: overrides `output`. */
export const outDirOption = Options.directory("out-dir").pipe(
  Options.optional,
  Options.withDescription("Folder for plan, report, results and rejects (overrides output)")
)

/** `--json`: print one JSON document instead of the human view. */
export const jsonOption = Options.boolean("json").pipe(Options.withDescription("Print the outcome as JSON"))

/**
 * `--progress auto|always|never|lines`: progress of long work on stderr — a bar on a terminal
 * (`auto`), a bar anyway (`always`), none, or a line every 10 s for logs (`lines`). `--json` means none.
 */
export const progressOption = Options.choice("progress", progressChoices).pipe(
  Options.withDefault("auto" as const),
  Options.withDescription("Progress on stderr: auto (a bar on a terminal), always, never, or lines (one every 10 s, for logs); none with --json")
)

/** The options every config-driven command takes. */
export const runOptions = {
  config: configOption,
  targetUrl: targetUrlOption,
  state: stateOption,
  outDir: outDirOption,
  json: jsonOption
} as const

/** The overrides the common options carry. */
export const overridesOf = (options: {
  readonly targetUrl: Option.Option<string>
  readonly state: Option.Option<string>
  readonly outDir: Option.Option<string>
}): RunConfigOverrides => ({
  targetUrl: Option.getOrUndefined(options.targetUrl),
  state: Option.getOrUndefined(options.state),
  outputDir: Option.getOrUndefined(options.outDir)
})
