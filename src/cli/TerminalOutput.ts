import { Console, Effect } from "effect"
import * as nodeConsole from "node:console"
import { Writable } from "node:stream"

// @effect/cli renders help and usage errors in colour, and the pretty logger colours by
// stdout alone; the CLI's console strips the codes wherever a stream should stay plain.

/** True when text written to `stream` may carry ANSI colour: a terminal, and no `NO_COLOR` (no-color.org). */
export const colourAllowed = (stream: { readonly isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv): boolean =>
  stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "")

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
const ansiPattern = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g

/** `text` without its ANSI escape sequences. */
export const stripAnsi = (text: string): string => text.replace(ansiPattern, "")

/** `stream` itself where colour is allowed, else a stream that strips ANSI codes before writing to it. */
export const plainWhereNeeded = (stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): NodeJS.WritableStream =>
  colourAllowed(stream, env)
    ? stream
    : new Writable({
      // Each console call writes one whole formatted string, so a code is never split across
      // chunks. Done at once, as the console does not wait either: nothing queues here to be
      // lost when the process exits.
      write(chunk, _encoding, done) {
        stream.write(stripAnsi(String(chunk)))
        done()
      }
    })

/** An Effect console over a Node console (whose `unsafe` the loggers write through). */
export const consoleOf = (unsafe: globalThis.Console): Console.Console => ({
  [Console.TypeId]: Console.TypeId,
  assert: (condition, ...args) => Effect.sync(() => unsafe.assert(condition, ...args)),
  clear: Effect.sync(() => unsafe.clear()),
  count: (label) => Effect.sync(() => unsafe.count(label)),
  countReset: (label) => Effect.sync(() => unsafe.countReset(label)),
  debug: (...args) => Effect.sync(() => unsafe.debug(...args)),
  dir: (item, options) => Effect.sync(() => unsafe.dir(item, options)),
  dirxml: (...args) => Effect.sync(() => unsafe.dirxml(...args)),
  error: (...args) => Effect.sync(() => unsafe.error(...args)),
  group: (options) => Effect.sync(() => (options?.collapsed ? unsafe.groupCollapsed(options.label) : unsafe.group(options?.label))),
  groupEnd: Effect.sync(() => unsafe.groupEnd()),
  info: (...args) => Effect.sync(() => unsafe.info(...args)),
  log: (...args) => Effect.sync(() => unsafe.log(...args)),
  table: (data, properties) => Effect.sync(() => unsafe.table(data, properties)),
  time: (label) => Effect.sync(() => unsafe.time(label)),
  timeEnd: (label) => Effect.sync(() => unsafe.timeEnd(label)),
  timeLog: (label, ...args) => Effect.sync(() => unsafe.timeLog(label, ...args)),
  trace: (...args) => Effect.sync(() => unsafe.trace(...args)),
  warn: (...args) => Effect.sync(() => unsafe.warn(...args)),
  unsafe
})

/** The console of the `casesync` process: stdout and stderr, each in colour only where allowed. */
export const processConsole = (env: NodeJS.ProcessEnv = process.env): Console.Console =>
  consoleOf(new nodeConsole.Console({
    stdout: plainWhereNeeded(process.stdout, env),
    stderr: plainWhereNeeded(process.stderr, env),
    colorMode: colourAllowed(process.stdout, env) && colourAllowed(process.stderr, env) ? "auto" : false
  }))
