import { describe, expect, it } from "vitest"
import { shellCommand, shellQuote } from "../../src/cli/ShellWords.js"

describe("shellQuote: a command casesync prints can be pasted into a shell", () => {
  it("leaves a plain path as it is", () => {
    expect(shellQuote("out/legacy-csv/plan.json")).toBe("out/legacy-csv/plan.json")
    expect(shellQuote("../../tmp/job@1/x_y-z.yaml")).toBe("../../tmp/job@1/x_y-z.yaml")
  })

  it("quotes a path with spaces, quotes or shell characters, so it stays one word", () => {
    expect(shellQuote("/tmp/odd dir/job x/casesync.yaml")).toBe("'/tmp/odd dir/job x/casesync.yaml'")
    expect(shellQuote("it's $HOME;`x`")).toBe("'it'\\''s $HOME;`x`'")
    expect(shellQuote("")).toBe("''")
  })

  it("joins a command's words", () => {
    expect(shellCommand(["casesync", "apply", "--config", "a b.yaml", "--plan", "p.json"])).toBe("casesync apply --config 'a b.yaml' --plan p.json")
  })
})
