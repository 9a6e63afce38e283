import { Schema } from "effect"

/**
 * Why `casesync init` wrote nothing: a file it would write exists or cannot be written there,
 * or it was not told where to read from or with which key.
 */
export class InitError extends Schema.TaggedError<InitError>()("InitError", {
  reason: Schema.Literal("Exists", "Unwritable", "NoSource", "NoApiKey"),
  detail: Schema.String
}) {
  override get message(): string {
    return this.reason === "Exists"
      ? `init: ${this.detail} already exists; init never overwrites a file, so nothing was written (move it away, or pass --config/--mapping with other names)`
      : this.reason === "Unwritable"
      ? `init: cannot write ${this.detail}; nothing was written`
      : `init: ${this.detail}; nothing was written`
  }
}
