import cliProgress from "cli-progress"
import { Clock, Duration, Effect, Layer } from "effect"
import { Progress, type ProgressReporter, silentProgress } from "./Progress.js"
import { doneText, figuresText, lineText, type PhaseState, snapshotOf } from "./ProgressFrame.js"
import { type ProgressChoice, progressMode } from "./ProgressMode.js"

/** How often `--progress lines` logs a line. */
export const lineInterval = Duration.seconds(10)

/**
 * `--progress lines`: a line on `write` every 10 s while a phase runs (on Effect's clock, so
 * `TestClock` drives it), each notice at once, and a closing line per phase.
 */
export const makeLines = (write: (line: string) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    let phase: PhaseState | undefined
    const now = Clock.currentTimeMillis
    const tick = Effect.suspend(() => phase === undefined ? Effect.void : Effect.flatMap(now, (at) => write(lineText(snapshotOf(phase!, at)))))
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep(lineInterval), tick)))
    return {
      begin: (label, extent) => Effect.map(now, (startedAt) => void (phase = { label, extent, startedAt, records: 0 })),
      advance: (records) => Effect.sync(() => void (phase = phase === undefined ? phase : { ...phase, records: phase.records + records })),
      notice: (text) => write(phase === undefined ? text : `progress ${phase.label}: ${text}`),
      end: Effect.suspend(() => {
        const ended = phase
        phase = undefined
        return ended === undefined ? Effect.void : Effect.flatMap(now, (at) => write(doneText(snapshotOf(ended, at))))
      })
    } satisfies ProgressReporter
  })

const isTerminal = (stream: NodeJS.WritableStream): boolean => (stream as { isTTY?: boolean }).isTTY === true

// The bar runs on a 0..1000 scale so one bar serves both shares (bytes and records); the
// figures are ours, in the payload, so the rate is in records whatever the bar measures.
const scale = 1000

/**
 * The bar on a terminal (cli-progress, on `stream`): label, bar, records, rate, share and
 * ETA, redrawn in place; notices print above it. `force` draws it on a non-terminal too.
 */
export const makeBar = (stream: NodeJS.WritableStream, force: boolean) =>
  Effect.gen(function*() {
    let phase: PhaseState | undefined
    let bars: cliProgress.MultiBar | undefined
    let bar: cliProgress.SingleBar | undefined
    const draw = (at: number) => {
      if (phase === undefined || bar === undefined) return
      const snapshot = snapshotOf(phase, at)
      bar.update(Math.round((snapshot.share ?? 0) * scale), { label: phase.label, figures: figuresText(snapshot) })
    }
    const stop = Effect.sync(() => {
      // A last redraw first: it prints the notices still waiting for one.
      bars?.update()
      bars?.stop()
      bars = undefined
      bar = undefined
    })
    yield* Effect.addFinalizer(() => stop)
    return {
      begin: (label, extent) =>
        Effect.flatMap(stop, () =>
          Effect.map(Clock.currentTimeMillis, (startedAt) => {
            phase = { label, extent, startedAt, records: 0 }
            bars = new cliProgress.MultiBar({
              stream,
              noTTYOutput: force,
              hideCursor: true,
              clearOnComplete: false,
              stopOnComplete: false,
              barsize: 24,
              format: extent._tag === "Unknown" ? "{label} | {figures}" : "{label} {bar} {figures}"
            }, cliProgress.Presets.shades_classic)
            bar = bars.create(scale, 0, { label, figures: figuresText(snapshotOf(phase, startedAt)) })
          })),
      advance: (records) =>
        Effect.map(Clock.currentTimeMillis, (at) => {
          if (phase !== undefined) phase = { ...phase, records: phase.records + records }
          draw(at)
        }),
      // On a terminal the bar prints the notice above itself; elsewhere (forced) each frame is a line of its own.
      notice: (text) => Effect.sync(() => (bars !== undefined && isTerminal(stream) ? bars.log(`${text}\n`) : stream.write(`${text}\n`))),
      end: Effect.flatMap(Clock.currentTimeMillis, (at) => {
        draw(at)
        phase = undefined
        return stop
      })
    } satisfies ProgressReporter
  })

/** The run's progress, as `--progress` and `--json` decide, on this process's stderr. */
export const layerProgress = (choice: ProgressChoice, json: boolean): Layer.Layer<Progress> => {
  const stderr = process.stderr
  const mode = progressMode(choice, { json, isTTY: stderr.isTTY === true })
  const reporter = mode === "off"
    ? Effect.succeed(silentProgress)
    : mode === "lines"
    ? makeLines((line) => Effect.sync(() => void stderr.write(`${line}\n`)))
    : makeBar(stderr, choice === "always")
  return Layer.scoped(Progress, reporter)
}
