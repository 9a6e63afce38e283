import { describe, expect, it } from "vitest"
import { hoistLogLevel, wantsJson } from "../../src/cli/Arguments.js"

const argv = (...args: Array<string>) => ["node", "casesync", ...args]

describe("hoistLogLevel", () => {
  it("moves --log-level from any position to the front, where @effect/cli honours it", () => {
    const front = argv("--log-level", "debug", "validate", "--config", "c.yaml")
    expect(hoistLogLevel(argv("validate", "--config", "c.yaml", "--log-level", "debug"))).toEqual(front)
    expect(hoistLogLevel(argv("validate", "--log-level", "debug", "--config", "c.yaml"))).toEqual(front)
    expect(hoistLogLevel(front)).toEqual(front)
  })

  it("moves the --log-level=L form too", () => {
    expect(hoistLogLevel(argv("plan", "--json", "--log-level=warning"))).toEqual(argv("--log-level=warning", "plan", "--json"))
  })

  it("leaves everything after -- alone, and a command line without --log-level unchanged", () => {
    expect(hoistLogLevel(argv("plan", "--", "--log-level", "x"))).toEqual(argv("plan", "--", "--log-level", "x"))
    expect(hoistLogLevel(argv("apply", "--plan", "p.json"))).toEqual(argv("apply", "--plan", "p.json"))
  })
})

describe("wantsJson", () => {
  it("is true for --json anywhere before --", () => {
    expect(wantsJson(argv("validate", "--json"))).toBe(true)
    expect(wantsJson(argv("--json", "plan"))).toBe(true)
    expect(wantsJson(argv("validate"))).toBe(false)
    expect(wantsJson(argv("plan", "--", "--json"))).toBe(false)
  })
})
