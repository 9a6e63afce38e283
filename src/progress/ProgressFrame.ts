import type { Extent } from "./Progress.js"

/** Where a phase stands: what the frames and lines are drawn from. */
export interface PhaseState {
  readonly label: string
  readonly extent: Extent
  readonly startedAt: number
  readonly records: number
}

/** A phase's figures at one instant: records, rate, share done (0..1) and ETA, when known. */
export interface Snapshot {
  readonly label: string
  readonly records: number
  readonly perSecond: number
  readonly share: number | undefined
  readonly etaSeconds: number | undefined
  readonly elapsedSeconds: number
}

/** The figures of `state` at `now` (ms): the share from bytes read or from records against the total. */
export const snapshotOf = (state: PhaseState, now: number): Snapshot => {
  const elapsedSeconds = Math.max(0, now - state.startedAt) / 1000
  const perSecond = elapsedSeconds > 0 ? state.records / elapsedSeconds : 0
  const share = shareOf(state)
  const etaSeconds = share === undefined || share <= 0 || elapsedSeconds <= 0
    ? undefined
    : elapsedSeconds * (1 - share) / share
  return { label: state.label, records: state.records, perSecond, share, etaSeconds, elapsedSeconds }
}

const shareOf = (state: PhaseState): number | undefined => {
  const extent = state.extent
  switch (extent._tag) {
    case "Records":
      return extent.total > 0 ? Math.min(1, state.records / extent.total) : undefined
    case "Bytes":
      return extent.size > 0 ? Math.min(1, extent.read() / extent.size) : undefined
    case "Unknown":
      return undefined
  }
}

/** `1,234`: counts read at a glance. */
export const formatCount = (n: number): string => Math.round(n).toLocaleString("en-US")

/** `42 s`, `3 min 5 s`, `1 h 2 min`; `--` when unknown. */
export const formatDuration = (seconds: number | undefined): string => {
  if (seconds === undefined || !Number.isFinite(seconds)) return "--"
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** A wait as a person says it: `2 s`, `0.4 s`. */
export const formatWait = (millis: number): string =>
  millis >= 10_000 || millis % 1000 === 0 ? `${Math.round(millis / 1000)} s` : `${(millis / 1000).toFixed(1)} s`

/** The figures after the label: `1,200 records | 340/s | 42% | ETA 12 s` (share and ETA only when known). */
export const figuresText = (snapshot: Snapshot): string =>
  [
    `${formatCount(snapshot.records)} records`,
    `${formatCount(snapshot.perSecond)}/s`,
    ...(snapshot.share === undefined ? [] : [`${Math.floor(snapshot.share * 100)}%`]),
    ...(snapshot.share === undefined ? [] : [`ETA ${formatDuration(snapshot.etaSeconds)}`])
  ].join(" | ")

/** One log line of `--progress lines`: `progress plan: 1,200 records | 340/s | 42% | ETA 12 s`. */
export const lineText = (snapshot: Snapshot): string => `progress ${snapshot.label}: ${figuresText(snapshot)}`

/** The closing line of a phase: `progress plan: done, 1,200 records in 4 s (300/s)`. */
export const doneText = (snapshot: Snapshot): string =>
  `progress ${snapshot.label}: done, ${formatCount(snapshot.records)} records in ${formatDuration(snapshot.elapsedSeconds)} (${formatCount(snapshot.perSecond)}/s)`
