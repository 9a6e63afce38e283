import { Command } from "@effect/cli"
import { countOption, runOptions } from "./CommonOptions.js"
import { lazily } from "./LazyHandler.js"

// The definitions only; the handlers (MappingHandlers.ts) load when a command is chosen.

const previewOptions = {
  ...runOptions,
  limit: countOption("limit", 5, "How many source records to show")
}

/** What `casesync validate` parses. */
export type ValidateOptions = Command.Command.ParseConfig<typeof runOptions>
/** What `casesync preview` parses. */
export type PreviewOptions = Command.Command.ParseConfig<typeof previewOptions>

/** `casesync validate`: checks the config and the mapping against the target and the source; writes nothing. */
export const validateCommand = Command.make("validate", runOptions, (options) =>
  lazily(() => import("./MappingHandlers.js"), (handlers) => handlers.validate(options))
).pipe(Command.withDescription("Check the run config and its mapping against the target's case types and the source's fields"))

/** `casesync preview --limit N`: the first N source records beside their mapped cases, or their rejections. */
export const previewCommand = Command.make("preview", previewOptions, (options) =>
  lazily(() => import("./MappingHandlers.js"), (handlers) => handlers.preview(options))
).pipe(Command.withDescription("Show the first N source records beside the cases they map to (or why they are rejected)"))
