import { it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { PassThrough } from "node:stream"
import { describe, expect } from "vitest"
import { makeBar } from "../../src/progress/ProgressLive.js"
import { formatDuration, formatWait } from "../../src/progress/ProgressFrame.js"

// The bar writes to the stream it is given (stderr in the CLI), never to stdout; notices print
// above the bar as whole lines; the bar is stopped (cursor shown again) when its scope closes.

const capture = (terminal = false) => {
  const stream = Object.assign(new PassThrough(), terminal ? { isTTY: true, columns: 100 } : {})
  let text = ""
  stream.on("data", (chunk: Buffer) => void (text += chunk.toString()))
  return { stream, text: () => text }
}

describe("progress bar", () => {
  it.scoped("draws records, rate, share and ETA on a terminal, with notices above it", () =>
    Effect.gen(function*() {
      const out = capture(true)
      const bar = yield* makeBar(out.stream, false)
      yield* bar.begin("plan", { _tag: "Bytes", size: 1000, read: () => 1000 })
      yield* bar.notice("retrying after 503 in 0.4 s")
      yield* TestClock.adjust("2 seconds")
      yield* bar.advance(20)
      yield* bar.end
      expect(out.text()).toContain("retrying after 503 in 0.4 s\n")
      expect(out.text()).toMatch(/plan .* 20 records \| 10\/s \| 100% \| ETA 0 s/)
    }))

  it.scoped("forced off a terminal (--progress always), writes frames and notices as whole lines", () =>
    Effect.gen(function*() {
      const out = capture()
      const bar = yield* makeBar(out.stream, true)
      yield* bar.begin("apply", { _tag: "Records", total: 400 })
      yield* bar.advance(200)
      yield* bar.notice("target slow: waiting 2 s (Retry-After)")
      yield* TestClock.adjust("4 seconds")
      yield* bar.advance(200)
      yield* bar.end
      expect(out.text()).toMatch(/apply .* 400 records \| 100\/s \| 100% \| ETA 0 s/)
      expect(out.text()).toContain("target slow: waiting 2 s (Retry-After)\n")
    }))

  it.effect("shows the cursor again when its scope closes mid-phase (a failed or interrupted run)", () =>
    Effect.gen(function*() {
      const out = capture(true)
      yield* Effect.scoped(Effect.flatMap(makeBar(out.stream, true), (bar) => bar.begin("plan", { _tag: "Unknown" })))
      // cli-progress hides the cursor (ESC[?25l) while drawing and shows it (ESC[?25h) on stop.
      expect(out.text()).toContain("\u001b[?25h")
    }))
})

describe("durations", () => {
  it("reads as a person says them", () => {
    expect(formatDuration(undefined)).toBe("--")
    expect(formatDuration(42.4)).toBe("42 s")
    expect(formatDuration(185)).toBe("3 min 5 s")
    expect(formatDuration(3720)).toBe("1 h 2 min")
    expect(formatWait(2000)).toBe("2 s")
    expect(formatWait(400)).toBe("0.4 s")
  })
})
