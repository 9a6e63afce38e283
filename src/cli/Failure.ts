import { HelpDoc, ValidationError } from "@effect/cli"
import { Cause, Console, Effect, Option } from "effect"
import { wantsJson } from "./Arguments.js"
import { ExitCode, exitCodeForError } from "./ExitCodes.js"
import { stripAnsi } from "./TerminalOutput.js"

/** The JSON document `--json` prints on stdout when a command fails. */
export interface ErrorDocument {
  /** The subcommand, when the arguments name one. */
  readonly command: string | null
  readonly ok: false
  readonly exitCode: number
  readonly error: {
    /** The error's tag (`ConfigFileError`, `InvalidValue`, …), or `Defect` for a bug. */
    readonly tag: string
    readonly message: string
  }
}

const messageOf = (error: unknown): string =>
  ValidationError.isValidationError(error)
    ? stripAnsi(HelpDoc.toAnsiText(error.error)).trim()
    : typeof error === "object" && error !== null && "message" in error && typeof error.message === "string" && error.message !== ""
    ? error.message
    : Cause.pretty(Cause.fail(error))

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "Error"

const resumeHint = "To resume: fix the cause, then run the same command again; confirmed writes are never repeated."
/** The commands that write to a target or a CRM: only their failures leave something to resume. */
const writingCommands = new Set(["apply", "migrate", "sync", "demo"])

/**
 * Reports how a command ended badly and sets the exit code (README, "Exit codes"):
 * expected failures as their message (which says what failed and how to go on), defects
 * with their full report, and with `--json` also an error document on stdout. An
 * interruption is passed on untouched.
 */
export const reportFailure = (argv: ReadonlyArray<string>, commandNames: ReadonlyArray<string>) =>
<E>(cause: Cause.Cause<E>): Effect.Effect<void, E> =>
  Effect.gen(function*() {
    if (Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause)
    const failure = Cause.failureOption(cause)
    const [exitCode, tag, message] = Option.match(failure, {
      onNone: () => [ExitCode.Failed, "Defect", Cause.pretty(cause)] as const,
      onSome: (error) => [exitCodeForError(error), tagOf(error), messageOf(error)] as const
    })
    // @effect/cli has already shown argument errors together with the usage.
    const command = argv.slice(2).find((arg) => commandNames.includes(arg)) ?? null
    if (!Option.exists(failure, ValidationError.isValidationError)) {
      yield* Console.error(`casesync: ${message}`)
      const resumable = command !== null && writingCommands.has(command)
      if (exitCode === ExitCode.Failed && resumable && Option.isSome(failure) && !message.includes("To resume")) yield* Console.error(resumeHint)
    }
    if (wantsJson(argv)) {
      const document: ErrorDocument = {
        command,
        ok: false,
        exitCode,
        error: { tag, message }
      }
      yield* Console.log(JSON.stringify(document, null, 2))
    }
    process.exitCode = exitCode
  })
