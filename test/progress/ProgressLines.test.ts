import { it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { describe, expect } from "vitest"
import { makeLines } from "../../src/progress/ProgressLive.js"

// `--progress lines` is for logs: one line every 10 s while a phase runs, notices at once,
// a closing line per phase, and nothing between phases. Driven by TestClock, never by waiting.

const recording = () => {
  const lines: Array<string> = []
  return { lines, write: (line: string) => Effect.sync(() => void lines.push(line)) }
}

describe("progress lines", () => {
  it.scoped("logs a line every 10 s with records, rate, share and ETA, and a closing line", () =>
    Effect.gen(function*() {
      const out = recording()
      const progress = yield* makeLines(out.write)
      yield* progress.begin("apply", { _tag: "Records", total: 1000 })
      yield* TestClock.adjust("9 seconds")
      yield* progress.advance(200)
      expect(out.lines).toEqual([])
      yield* TestClock.adjust("1 second")
      expect(out.lines).toEqual(["progress apply: 200 records | 20/s | 20% | ETA 40 s"])
      yield* progress.advance(300)
      yield* TestClock.adjust("10 seconds")
      expect(out.lines[1]).toBe("progress apply: 500 records | 25/s | 50% | ETA 20 s")
      yield* progress.end
      expect(out.lines[2]).toBe("progress apply: done, 500 records in 20 s (25/s)")
      yield* TestClock.adjust("30 seconds")
      expect(out.lines).toHaveLength(3)
    }))

  it.scoped("takes a CSV's share from the bytes read, and prints notices at once", () =>
    Effect.gen(function*() {
      const out = recording()
      const progress = yield* makeLines(out.write)
      let bytes = 0
      yield* progress.begin("plan", { _tag: "Bytes", size: 4000, read: () => bytes })
      bytes = 1000
      yield* progress.advance(50)
      yield* progress.notice("target slow: waiting 2 s (Retry-After)")
      expect(out.lines).toEqual(["progress plan: target slow: waiting 2 s (Retry-After)"])
      yield* TestClock.adjust("10 seconds")
      expect(out.lines[1]).toBe("progress plan: 50 records | 5/s | 25% | ETA 30 s")
    }))

  it.scoped("shows records and rate only when the size is unknown (the CRM)", () =>
    Effect.gen(function*() {
      const out = recording()
      const progress = yield* makeLines(out.write)
      yield* progress.begin("plan", { _tag: "Unknown" })
      yield* progress.advance(30)
      yield* TestClock.adjust("10 seconds")
      expect(out.lines).toEqual(["progress plan: 30 records | 3/s"])
    }))

  it.effect("stops logging when its scope closes", () =>
    Effect.gen(function*() {
      const out = recording()
      const fiber = yield* Effect.fork(Effect.scoped(Effect.flatMap(makeLines(out.write), (p) => p.begin("plan", { _tag: "Unknown" }))))
      yield* Fiber.join(fiber)
      yield* TestClock.adjust("60 seconds")
      expect(out.lines).toEqual([])
    }))
})
