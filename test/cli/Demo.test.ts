import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { spawnCli } from "../apply/e2e/CliProcess.js"
import { repoRoot } from "../apply/e2e/Workspace.js"

// `npm run demo` as a person runs it (in the checkout, its files under out/demo and .casesync/).
describe("casesync demo", () => {
  it.live("ends with a clean reconcile of each job (0 missing, 0 drift, 0 orphans, equal checksums, where the reports are), then two-way sync merges agents' edits", () =>
    Effect.gen(function*() {
      const run = yield* spawnCli(["demo"])
      expect(run.exitCode, run.stderr).toBe(0)
      // Act three: two sync cycles after agents edited both sides merge them, queue the clash and then write nothing.
      const act = run.stdout.split("\n== sync: khoros-crm")[1] ?? ""
      expect(act).toMatch(/cycle 2: .*wrote target 1, crm 1; conflicts 1 fields in 1 records \(new 1\)/)
      expect(act).toMatch(/cycle 3: .*wrote target 0, crm 0; conflicts 1 fields in 1 records \(new 0\)/)
      expect(act).toContain(`merged: CRM priority "high", description "Agreed a three-month payment plan"; Peach crmPriority "high", description "Agreed a three-month payment plan"`)
      expect(act).toContain("second sync cycle after the edits: 0 write requests")
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
