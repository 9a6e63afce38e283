import { describe, expect, it } from "vitest"
import { progressMode } from "../../src/progress/ProgressMode.js"

describe("progressMode", () => {
  it("draws a bar on a terminal only, unless forced", () => {
    expect(progressMode("auto", { json: false, isTTY: true })).toBe("bar")
    expect(progressMode("auto", { json: false, isTTY: false })).toBe("off")
    expect(progressMode("always", { json: false, isTTY: false })).toBe("bar")
    expect(progressMode("never", { json: false, isTTY: true })).toBe("off")
    expect(progressMode("lines", { json: false, isTTY: false })).toBe("lines")
  })

  it("says nothing with --json, whatever --progress asks", () => {
    for (const choice of ["auto", "always", "lines", "never"] as const) {
      expect(progressMode(choice, { json: true, isTTY: true })).toBe("off")
    }
  })
})
