import { Cron, Duration, Effect, Either, Schedule } from "effect"

/** When `casesync sync` runs its cycles: every fixed interval, or at the times of a cron expression. */
export type SyncTiming =
  | { readonly _tag: "Every"; readonly interval: Duration.Duration }
  | { readonly _tag: "Cron"; readonly cron: Cron.Cron; readonly expression: string }

const units: Readonly<Record<string, Duration.Unit>> = { s: "seconds", m: "minutes", h: "hours", d: "days" }

/**
 * Reads the config's `sync:` timing: `every: 5m` (s, m, h, d; or an Effect duration such as
 * `90 seconds`) or `cron: "*\/5 * * * *"` (Effect's Cron: five fields, or six with seconds,
 * in UTC). Left with a sentence saying what is wrong.
 */
export const parseTiming = (sync: { readonly every?: string | undefined; readonly cron?: string | undefined }): Either.Either<SyncTiming, string> => {
  if (sync.every !== undefined && sync.cron !== undefined) return Either.left("sync: give either every: or cron:, not both")
  if (sync.cron !== undefined) {
    return Either.match(Cron.parse(sync.cron), {
      onLeft: (error) => Either.left(`sync.cron "${sync.cron}" is not a cron expression: ${error.message}`),
      onRight: (cron) => Either.right({ _tag: "Cron" as const, cron, expression: sync.cron! })
    })
  }
  if (sync.every === undefined) return Either.left("sync: has no schedule: add every: 5m or cron: \"*/5 * * * *\"")
  const short = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(sync.every)
  const interval = short === null
    ? Duration.decodeUnknown(sync.every)
    : Duration.decodeUnknown(`${short[1]} ${units[short[2]!]}`)
  if (interval._tag === "None" || Duration.toMillis(interval.value) < 1000) {
    return Either.left(`sync.every "${sync.every}" is not an interval of at least a second (write 30s, 5m, 1h or 1d)`)
  }
  return Either.right({ _tag: "Every", interval: interval.value })
}

/** The timing as an Effect Schedule: a fixed spacing between cycles, or the cron's times. */
export const scheduleOf = (timing: SyncTiming): Schedule.Schedule<unknown> =>
  timing._tag === "Every" ? Schedule.spaced(timing.interval) : Schedule.cron(timing.cron)

/** How the timing reads in messages. */
export const describeTiming = (timing: SyncTiming): string =>
  timing._tag === "Every" ? `every ${Duration.format(timing.interval)}` : `at cron "${timing.expression}" (UTC)`

/**
 * Runs `cycle` now and then on the schedule, for ever; a failed cycle is reported and the next
 * one runs on time (a held lease, an unreachable system). It ends only by interruption
 * (SIGINT/SIGTERM), which lets the writes in flight finish (the cycle protects them).
 */
export const runOnSchedule = <A, E, R>(
  timing: SyncTiming,
  cycle: Effect.Effect<A, E, R>,
  report: (error: E) => Effect.Effect<void>
): Effect.Effect<never, never, R> =>
  cycle.pipe(
    Effect.catchAll(report),
    Effect.repeat(scheduleOf(timing)),
    Effect.zipRight(Effect.never)
  )
