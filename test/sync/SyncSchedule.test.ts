import { describe, expect, it } from "@effect/vitest"
import { Cron, Duration, Either } from "effect"
import { describeTiming, parseTiming } from "../../src/sync/SyncSchedule.js"

describe("the sync schedule in the config", () => {
  it("every: takes 30s, 5m, 1h, 1d and Effect durations", () => {
    const interval = (every: string) => Either.map(parseTiming({ every }), (t) => (t._tag === "Every" ? Duration.toMillis(t.interval) : -1))
    expect(interval("30s")).toEqual(Either.right(30_000))
    expect(interval("5m")).toEqual(Either.right(300_000))
    expect(interval("1h")).toEqual(Either.right(3_600_000))
    expect(interval("1d")).toEqual(Either.right(86_400_000))
    expect(interval("90 seconds")).toEqual(Either.right(90_000))
  })

  it("every: refuses what is not an interval of at least a second, saying how to write one", () => {
    for (const every of ["5 parsecs", "0s", "500 millis", "m5"]) {
      const timing = parseTiming({ every })
      expect(Either.isLeft(timing), every).toBe(true)
      expect(Either.flip(timing).pipe(Either.getOrElse(() => ""))).toContain("30s, 5m, 1h or 1d")
    }
  })

  it("cron: a five-field expression is read by Effect's Cron, in UTC; a bad one is refused with the parser's reason", () => {
    const timing = parseTiming({ cron: "*/5 * * * *" })
    expect(Either.isRight(timing)).toBe(true)
    const cron = Either.getOrThrow(timing)
    expect(cron._tag === "Cron" && Cron.next(cron.cron, new Date("2026-01-01T00:01:00Z")).toISOString()).toBe("2026-01-01T00:05:00.000Z")
    expect(describeTiming(cron)).toBe(`at cron "*/5 * * * *" (UTC)`)
    expect(Either.flip(parseTiming({ cron: "every five minutes" })).pipe(Either.getOrElse(() => ""))).toContain("is not a cron expression")
  })

  it("neither or both is refused", () => {
    expect(Either.flip(parseTiming({})).pipe(Either.getOrElse(() => ""))).toContain("has no schedule")
    expect(Either.flip(parseTiming({ every: "5m", cron: "* * * * *" })).pipe(Either.getOrElse(() => ""))).toContain("not both")
  })
})
