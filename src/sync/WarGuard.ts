import { sameValue } from "../plan/FieldValues.js"

/**
 * One write sync made to a field, in the target's terms: the value the field held on the
 * written side before (`previous`) and the value sent (`value`). A CRM write is recorded
 * as the target value it copied over the CRM's (forward-mapped) value.
 */
export interface WriteRecord {
  readonly cycle: number
  readonly previous: unknown
  readonly value: unknown
}

/** How many writes per field the state keeps: the guard reads only the last, the rest is for people. */
export const historyLength = 4

/** The history with one more write, oldest dropped past `historyLength`. */
export const recordWrite = (history: ReadonlyArray<WriteRecord>, write: WriteRecord): ReadonlyArray<WriteRecord> =>
  [...history, write].slice(-historyLength)

/**
 * Whether writing `value` over `previous` at `cycle` continues a war: the field was written in
 * the cycle just before, and the values it went through over those two cycles alternate
 * (A → B → A). Either two sides keep undoing each other, or someone keeps undoing sync's
 * write; writing again would go on for ever, so the field goes to the conflict queue.
 */
export const isWar = (
  history: ReadonlyArray<WriteRecord>,
  cycle: number,
  previous: unknown,
  value: unknown
): boolean => {
  const last = history[history.length - 1]
  if (last === undefined || last.cycle !== cycle - 1) return false
  const timeline: Array<unknown> = []
  for (const step of [last.previous, last.value, previous, value]) {
    if (timeline.length === 0 || !sameValue(timeline[timeline.length - 1], step)) timeline.push(step)
  }
  return timeline.some((step, i) => i + 2 < timeline.length && sameValue(step, timeline[i + 2]))
}
