import { describe, expect, it } from "vitest"
import { colourAllowed, stripAnsi } from "../../src/cli/TerminalOutput.js"

describe("colourAllowed", () => {
  it("allows colour on a terminal only", () => {
    expect(colourAllowed({ isTTY: true }, {})).toBe(true)
    expect(colourAllowed({ isTTY: false }, {})).toBe(false)
    expect(colourAllowed({}, {})).toBe(false)
  })

  it("honours NO_COLOR on a terminal, unless it is empty (no-color.org)", () => {
    expect(colourAllowed({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    expect(colourAllowed({ isTTY: true }, { NO_COLOR: "" })).toBe(true)
  })
})

describe("stripAnsi", () => {
  it("removes colour and other escape sequences, and nothing else", () => {
    expect(stripAnsi("\u001b[0;1m\u001b[0;37;1mcasesync\u001b[0;1m\u001b[0m --help")).toBe("casesync --help")
    expect(stripAnsi("\u001b]8;;https://x\u0007link\u001b]8;;\u0007 [not a code]")).toBe("link [not a code]")
  })
})
