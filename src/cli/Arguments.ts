// @effect/cli only honours its built-in `--log-level` in some positions (after the last
// option of a command it is an "unknown argument"); it always does right after the
// executable, so the CLI moves it there before parsing.

const isLogLevel = (arg: string) => arg === "--log-level" || arg.startsWith("--log-level=")

/**
 * `argv` (node, script, arguments) with every `--log-level L` / `--log-level=L` moved to the
 * front of the arguments, in order. Arguments after `--` are left as they are.
 */
export const hoistLogLevel = (argv: ReadonlyArray<string>): Array<string> => {
  const [runtime = "node", script = "casesync", ...args] = argv
  const end = args.includes("--") ? args.indexOf("--") : args.length
  const levels: Array<string> = []
  const rest: Array<string> = []
  for (let i = 0; i < end; i++) {
    const arg = args[i]!
    if (arg === "--log-level" && i + 1 < end) levels.push(arg, args[++i]!)
    else if (isLogLevel(arg)) levels.push(arg)
    else rest.push(arg)
  }
  return [runtime, script, ...levels, ...rest, ...args.slice(end)]
}

/** True when the command line asks for JSON output (`--json` before any `--`). */
export const wantsJson = (argv: ReadonlyArray<string>): boolean => {
  const args = argv.slice(2)
  const end = args.includes("--") ? args.indexOf("--") : args.length
  return args.slice(0, end).some((arg) => arg === "--json" || arg === "--json=true")
}
