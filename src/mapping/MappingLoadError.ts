import { Schema } from "effect"

/**
 * One mistake in a mapping file, where a person can find it: 1-based line and column
 * (0 when it concerns the file as a whole), the path of the offending YAML node
 * (`fields/status/map/OPEN`) and what is wrong.
 */
export const MappingIssue = Schema.Struct({
  line: Schema.Int,
  column: Schema.Int,
  path: Schema.String,
  message: Schema.String
})
export type MappingIssue = typeof MappingIssue.Type

/**
 * A mapping file that cannot be used, with every mistake found in it (not just the first),
 * so one edit-and-retry round fixes them all.
 */
export class MappingLoadError extends Schema.TaggedError<MappingLoadError>()("MappingLoadError", {
  file: Schema.String,
  issues: Schema.Array(MappingIssue)
}) {
  override get message(): string {
    const count = this.issues.length
    // A file that cannot be read at all is one line: there is nothing inside to point at.
    if (count === 1 && this.issues[0]!.line === 0) return formatIssue(this.file, this.issues[0]!)
    const lines = this.issues.map((issue) => `  ${formatIssue(this.file, issue)}`)
    return [`${this.file}: ${count} problem${count === 1 ? "" : "s"} in the mapping`, ...lines].join("\n")
  }
}

/** `file:line:column path: message`, the form editors and terminals turn into a link. */
export const formatIssue = (file: string, issue: MappingIssue): string =>
  issue.line > 0
    ? `${file}:${issue.line}:${issue.column} ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`
    : `${file} ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`
