import { Effect } from "effect"
import type { SyncSection } from "../config/RunConfig.js"

/** Placeholder until the schedule lands: runs the cycle once. */
export const runOnSchedule = <A, E, R>(_sync: SyncSection, cycle: Effect.Effect<A, E, R>): Effect.Effect<void, E, R> =>
  Effect.asVoid(cycle)
