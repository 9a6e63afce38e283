import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { spawnCli } from "../apply/e2e/CliProcess.js"
import { repoRoot } from "../apply/e2e/Workspace.js"

// `npm run demo` as a person runs it (in the checkout, its files under out/demo and .casesync/).
describe("casesync demo", () => {
  it.live("ends with a clean reconcile of each job: 0 missing, 0 drift, 0 orphans, equal checksums, and where the reports (Markdown, HTML) are", () =>
    Effect.gen(function*() {
      const run = yield* spawnCli(["demo"])
      expect(run.exitCode, run.stderr).toBe(0)
      const reconciles = run.stdout.split("\n== reconcile: ").slice(1)
      expect(reconciles.map((part) => part.split("\n")[0])).toEqual(["legacy-csv", "khoros-crm"])
      for (const part of reconciles) {
        expect(part).toContain("missing 0, drift 0 (0 fields), other borrower 0, orphans 0")
        const [source, target] = [...part.matchAll(/checksum (?:source|target) (\d+:[0-9a-f]{64})/g)].map((m) => m[1])
        expect(source).toBeDefined()
        expect(target).toBe(source)
        const report = /report: (\S+)/.exec(part)?.[1]
        expect(report).toBeDefined()
        expect(fs.readFileSync(path.join(repoRoot, report!), "utf-8")).toContain("**Clean.**")
        const html = /html: +(\S+)/.exec(part)?.[1]
        expect(html?.endsWith("reconcile.html")).toBe(true)
        expect(fs.existsSync(path.join(repoRoot, html!))).toBe(true)
      }
    }), 120_000)
})
