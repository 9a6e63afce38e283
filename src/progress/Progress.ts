import { Context, Effect, Stream } from "effect"

/**
 * How much work a phase has, for its share done and ETA: a number of records (apply: the
 * plan's counts), the bytes of a file read so far against its size (a CSV), or unknown (the CRM).
 */
export type Extent =
  | { readonly _tag: "Records"; readonly total: number }
  | { readonly _tag: "Bytes"; readonly size: number; readonly read: () => number }
  | { readonly _tag: "Unknown" }

/** Work of unknown size: records and rate are shown, no share or ETA. */
export const unknownExtent: Extent = { _tag: "Unknown" }

/** Where long work reports how far it got; implementations draw a bar, log lines, or say nothing. */
export interface ProgressReporter {
  /** A phase starts (`plan`, `apply`, `reconcile`): counting restarts from zero. */
  readonly begin: (label: string, extent: Extent) => Effect.Effect<void>
  /** `records` more are done; called per chunk or batch, never per record. */
  readonly advance: (records: number) => Effect.Effect<void>
  /** Something the person watching should know now (a retry, a back-off). */
  readonly notice: (text: string) => Effect.Effect<void>
  /** The phase is over: the last frame stays, later output goes below it. */
  readonly end: Effect.Effect<void>
}

/** Says nothing: the default, and what `--json`, `--progress never` and a non-terminal get. */
export const silentProgress: ProgressReporter = {
  begin: () => Effect.void,
  advance: () => Effect.void,
  notice: () => Effect.void,
  end: Effect.void
}

/**
 * The progress reporter of this run. A reference with a silent default, so the pipelines and
 * the HTTP layer can report without every caller (and test) having to provide one.
 */
export class Progress extends Context.Reference<Progress>()("casesync/Progress", {
  defaultValue: () => silentProgress
}) {}

/** Runs `effect` as the phase `label`: begun before, ended after, however it ends. */
export const duringPhase = (label: string, extent: Extent) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Progress, (progress) =>
    Effect.acquireUseRelease(progress.begin(label, extent), () => effect, () => progress.end))

/** Runs `stream` as the phase `label`, counting its elements chunk by chunk. */
export const trackStream = (label: string, extent: Effect.Effect<Extent>) => <A, E, R>(stream: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const progress = yield* Progress
    const measured = yield* extent
    yield* Effect.acquireRelease(progress.begin(label, measured), () => progress.end)
    return Stream.mapChunksEffect(stream, (chunk) => Effect.as(progress.advance(chunk.length), chunk))
  }))

/** Reports `records` more done to the run's progress (for batch loops). */
export const advanceProgress = (records: number): Effect.Effect<void> => Effect.flatMap(Progress, (progress) => progress.advance(records))

/** Tells the run's progress something the person watching should know now. */
export const noticeProgress = (text: string): Effect.Effect<void> => Effect.flatMap(Progress, (progress) => progress.notice(text))
