import { ValidationError } from "@effect/cli"
import type { PlanCounts } from "../plan/Plan.js"

/** Exit codes every command shares (README, "Exit codes"). */
export const ExitCode = {
  /** Everything done. */
  Ok: 0,
  /** The run failed; the message says what failed and how to resume. */
  Failed: 1,
  /** Usage or configuration error: nothing was done. */
  Usage: 2,
  /** Done, with rejects or conflicts to look at. */
  DoneWithIssues: 3,
  /** Stopped by Ctrl-C (SIGINT): 128 + 2, as a shell reports it. */
  Interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  Terminated: 143
} as const

/** The exit code of a finished run: 3 when records were rejected or in conflict. */
export const exitCodeForCounts = (counts: PlanCounts): number =>
  counts.reject + counts.conflict > 0 ? ExitCode.DoneWithIssues : ExitCode.Ok

const usageErrors = new Set([
  "ConfigFileError",
  "MappingLoadError",
  "PlanMismatch",
  "PlanFileError",
  "SourceFileChanged",
  "RejectsFileError",
  "StatusError",
  "InitError",
  "SyncUsageError"
])

/**
 * CSV source failures that are the input's fault (a path or option that is wrong, a file with no
 * usable header), found before any record is read: nothing was done.
 */
const usageCsvReasons = new Set(["FileNotFound", "NotAFile", "InvalidOptions", "InvalidHeader", "UnsupportedEncoding"])

const isUsageError = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return false
  if (error._tag === "CsvSourceError") return "reason" in error && usageCsvReasons.has(String(error.reason))
  return usageErrors.has(String(error._tag))
}

/** The exit code of a failed command: 2 when the input (arguments, config, mapping, plan, source path) is at fault. */
export const exitCodeForError = (error: unknown): number =>
  ValidationError.isValidationError(error) || isUsageError(error) ? ExitCode.Usage : ExitCode.Failed
