import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { spawnCli } from "../apply/e2e/CliProcess.js"
import { repoRoot } from "../apply/e2e/Workspace.js"

// The binary as an operator runs it, its stdout and stderr pipes (not terminals): what
// scripts and CI logs see. dist/ is rebuilt from the current source by test/BuildDist.ts.

const cli = (...args: Array<string>) => Effect.runPromise(spawnCli(args))
const ansi = /\u001b\[/
const missingConfig = ["--config", "test/cli/no-such-config.yaml"]
const hasScript = spawnSync("script", ["--version"]).status === 0

describe("casesync (the process)", () => {
  it("prints help without ANSI colour codes when stdout is not a terminal", async () => {
    const help = await cli("--help")
    expect(help.exitCode).toBe(0)
    expect(help.stdout).toContain("USAGE")
    expect(help.stdout).not.toMatch(ansi)
    const sub = await cli("sandbox", "--help")
    expect(sub.stdout).toContain("--port")
    expect(sub.stdout).not.toMatch(ansi)
  })

  // On a terminal (a pty from util-linux script(1)) help keeps its colours, unless NO_COLOR is set.
  it.skipIf(!hasScript)("honours NO_COLOR on a terminal", () => {
    const { NO_COLOR: _, ...inherited } = process.env
    const onTerminal = (env: Record<string, string>) =>
      execFileSync("script", ["-qec", `${JSON.stringify(process.execPath)} bin/casesync.js --help`, "/dev/null"], {
        cwd: repoRoot,
        env: { ...inherited, ...env },
        encoding: "utf8"
      })
    const coloured = onTerminal({})
    expect(coloured).toContain("USAGE")
    expect(coloured).toMatch(ansi)
    const plain = onTerminal({ NO_COLOR: "1" })
    expect(plain).toContain("USAGE")
    expect(plain).not.toMatch(ansi)
  })

  it("takes --log-level in any position, the last included", async () => {
    const first = await cli("--log-level", "debug", "validate", ...missingConfig)
    for (const args of [["validate", "--log-level", "debug", ...missingConfig], ["validate", ...missingConfig, "--log-level", "debug"], ["validate", ...missingConfig, "--log-level=debug"]]) {
      const run = await cli(...args)
      expect(run.stderr, args.join(" ")).not.toMatch(/unknown argument/i)
      expect({ exitCode: run.exitCode, stderr: run.stderr }, args.join(" ")).toEqual({ exitCode: first.exitCode, stderr: first.stderr })
    }
    expect(first.stderr).toContain("no-such-config.yaml: no such file")
  })

  it("with --json, prints an error document on stdout when the command fails", async () => {
    const failed = await cli("validate", ...missingConfig, "--json")
    expect(failed.exitCode).toBe(2)
    expect(JSON.parse(failed.stdout)).toEqual({
      command: "validate",
      ok: false,
      exitCode: 2,
      error: { tag: "ConfigFileError", message: expect.stringContaining("no-such-config.yaml: no such file") }
    })
    const usage = await cli("plan", "--json", "--no-such-flag")
    expect(usage.exitCode).toBe(2)
    expect(JSON.parse(usage.stdout)).toMatchObject({ command: "plan", ok: false, exitCode: 2, error: { message: expect.stringContaining("--no-such-flag") } })
  })

  it("refuses sandbox --port 80000 with a one-line usage error", async () => {
    const refused = await cli("sandbox", "--port", "80000")
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr.trim().split("\n")).toEqual([expect.stringContaining("--port 80000")])
    expect(refused.stdout).toBe("")
  })
})
