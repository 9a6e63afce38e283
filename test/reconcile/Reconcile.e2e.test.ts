import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { type Sandbox, startSandbox } from "../../src/sandbox/SandboxServer.js"
import { runCli } from "../apply/e2e/CliInProcess.js"
import { expectedCsv } from "../apply/e2e/Expected.js"
import { finalAccounting } from "../apply/e2e/RunOutputs.js"
import { casesByExternalId, requestsBetween, viewTarget, writeRequests } from "../apply/e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig, writeKhorosConfig } from "../apply/e2e/Workspace.js"

// Reconcile end to end: the real command tree against the sandbox over HTTP. What the target
// holds is changed the way a person would change it (a plain PUT or POST on the case API, a
// reset of the sandbox), never through casesync.

interface ReconcileJson {
  readonly clean: boolean
  readonly counts: Record<string, number>
  readonly checksums: { readonly source: string; readonly target: string }
  readonly drift: ReadonlyArray<{ externalId: string; caseId: string; fields: ReadonlyArray<{ field: string; source: unknown; target: unknown; moved: string }> }>
  readonly orphans: ReadonlyArray<{ externalId: string }>
  readonly ledger: ReadonlyArray<{ externalId: string; reason: string }>
  readonly files: { readonly fixes: { planFile: string; creates: number; updates: number } | null }
}

const reconcile = (config: string, ...more: Array<string>) =>
  Effect.map(runCli(["reconcile", "--config", config, "--json", ...more]), (run) => ({
    ...run,
    result: (JSON.parse(run.stdout) as { reconcile: ReconcileJson }).reconcile
  }))

// Case routes are under the API's root (`sandbox.url`), the control routes on the origin.
const send = (sandbox: Sandbox, method: string, route: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${route.startsWith("/_sandbox") ? sandbox.origin : sandbox.url}${route}`, {
      method,
      headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    return response.status
  })

const cleanCounts = { missing: 0, drift: 0, driftFields: 0, otherBorrower: 0, orphans: 0, duplicates: 0, ledger: 0 }

describe("casesync reconcile, end to end against the sandbox", () => {
  it.scopedLive("after a migration: clean, equal checksums, exit 0, and not one write request", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("reconcile-clean")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url })
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)
      const before = yield* sandbox.stats.snapshot

      const run = yield* reconcile(config)
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.result.clean).toBe(true)
      expect(run.result.counts).toMatchObject({ ...cleanCounts, read: 230, rejected: 13, compared: 217, inSync: 217 })
      expect(run.result.checksums.source).toBe(run.result.checksums.target)
      expect(run.result.checksums.source.startsWith(`${expectedCsv().created.length}:`)).toBe(true)
      const made = requestsBetween(before, yield* sandbox.stats.snapshot)
      expect(writeRequests(made)).toEqual({})
      // Only list calls on the target: no case fetched one by one.
      expect(Object.keys(made).filter((endpoint) => !endpoint.includes("/crm") && /:\w+$/.test(endpoint))).toEqual([])

      // The human view says the same, and the reports are where it says.
      const human = yield* runCli(["reconcile", "--config", config])
      expect(human.exitCode).toBe(0)
      expect(human.stdout).toContain("missing 0, drift 0 (0 fields)")
      expect(human.stdout).toContain("orphans 0")
      expect(human.stdout).toMatch(/\(equal\)/)
      expect(fs.readFileSync(path.join(dir, "out", "reconcile.md"), "utf-8")).toContain("**Clean.**")
      expect(JSON.parse(fs.readFileSync(path.join(dir, "out", "reconcile.json"), "utf-8")).clean).toBe(true)
      expect(human.stdout).toContain(`html:   ${path.join(dir, "out", "reconcile.html")}`)
      expect(fs.readFileSync(path.join(dir, "out", "reconcile.html"), "utf-8")).toContain("Clean: ")
    }))

  it.scopedLive("an agent's edit shows as exactly that drift (that case, that field, moved: target), exit 3; its repair applies, then clean", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("reconcile-drift")
      const config = writeCsvConfig({ dir, csv: samples.csv, targetUrl: sandbox.url })
      expect((yield* runCli(["migrate", "--config", config])).exitCode).toBe(3)
      const edited = casesByExternalId(yield* viewTarget(sandbox)).get("legacy-LC-100001")![0]!
      expect(yield* send(sandbox, "PUT", `/people/${edited.borrowerIds[0]}/cases/${edited.id}`, { name: "Renamed by an agent" })).toBe(200)

      const fixes = path.join(dir, "fixes.json")
      const found = yield* reconcile(config, "--plan-fixes", fixes)
      expect(found.exitCode, found.stderr).toBe(3)
      expect(found.result.counts).toMatchObject({ ...cleanCounts, drift: 1, driftFields: 1, inSync: 216 })
      expect(found.result.drift).toEqual([
        expect.objectContaining({
          externalId: "legacy-LC-100001",
          caseId: edited.id,
          fields: [expect.objectContaining({ field: "name", source: edited.name, target: "Renamed by an agent", moved: "target" })]
        })
      ])
      expect(found.result.checksums.source).not.toBe(found.result.checksums.target)
      expect(found.result.files.fixes).toMatchObject({ creates: 0, updates: 1 })
      const human = yield* runCli(["reconcile", "--config", config])
      expect(human.exitCode).toBe(3)
      expect(human.stdout).toContain(`drift: legacy-LC-100001 (case ${edited.id}) name: source ${JSON.stringify(edited.name)}, target "Renamed by an agent"`)
      expect(human.stdout).toContain("moved: target")
      expect(human.stdout).toMatch(/\(differ\)/)

      const applied = yield* runCli(["apply", "--config", config, "--plan", fixes])
      expect(applied.exitCode, applied.stderr).toBe(0)
      expect(finalAccounting(applied.stdout)).toMatchObject({ read: 1, update: 1 })
      expect(casesByExternalId(yield* viewTarget(sandbox)).get("legacy-LC-100001")![0]!.name).toBe(edited.name)

      const after = yield* reconcile(config)
      expect(after.exitCode, after.stderr).toBe(0)
      expect(after.result.checksums.source).toBe(after.result.checksums.target)
    }))

  it.scopedLive("a target that lost its cases: each is missing and a confirmed ledger row the target contradicts; a case made by hand is an orphan", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("reconcile-lost")
      // Migrate the first 20 physical lines only, then reconcile the whole export.
      const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: 21 })
      const config = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
      yield* runCli(["migrate", "--config", config])
      const migrated = (yield* reconcile(config)).result.counts.inSync
      expect(migrated).toBeGreaterThan(0)
      copyCsv(samples.csv, csv)

      const grown = yield* reconcile(config)
      expect(grown.exitCode).toBe(3)
      expect(grown.result.counts).toMatchObject({ missing: 217 - migrated, drift: 0, orphans: 0, ledger: 0 })

      // The target is reset to its seed: every confirmed row now points at nothing.
      expect(yield* send(sandbox, "POST", "/_sandbox/reset", {})).toBe(204)
      const borrower = (yield* sandbox.state.snapshot).personByExternalId.get("BRW-1016")!
      expect(yield* send(sandbox, "POST", `/people/${borrower.id}/cases`, {
        typeId: "101",
        externalId: "legacy-NOT-IN-THE-EXPORT",
        name: "Made by hand",
        openedAt: "2024-02-07T09:48:57-05:00"
      })).toBe(200)
      const fixes = path.join(dir, "fixes.json")
      const lost = yield* reconcile(config, "--plan-fixes", fixes)
      expect(lost.exitCode).toBe(3)
      expect(lost.result.counts).toMatchObject({ missing: 217, ledger: migrated, orphans: 1, drift: 0 })
      expect(new Set(lost.result.ledger.map((l) => l.reason))).toEqual(new Set(["ConfirmedAbsent"]))
      expect(lost.result.orphans.map((o) => o.externalId)).toEqual(["legacy-NOT-IN-THE-EXPORT"])
      expect(lost.result.files.fixes).toMatchObject({ creates: 217, updates: 0 })

      const applied = yield* runCli(["apply", "--config", config, "--plan", fixes])
      expect(applied.exitCode, applied.stderr).toBe(0)
      expect(finalAccounting(applied.stdout)).toMatchObject({ read: 217, create: 217 })
      // Reconcile never deletes: the orphan is still reported, everything else agrees.
      const after = yield* reconcile(config)
      expect(after.result.counts).toMatchObject({ ...cleanCounts, orphans: 1, inSync: 217 })
      expect(after.exitCode).toBe(3)
    }))

  it.scopedLive("the CRM job reconciles clean after its migration; an agent's edit of a two-way field is drift left to sync, of a one-way field a repair", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("reconcile-crm")
      const config = writeKhorosConfig({ dir, targetUrl: sandbox.url, crmUrl: sandbox.crmUrl })
      yield* runCli(["migrate", "--config", config])
      const run = yield* reconcile(config)
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.result.counts).toMatchObject(cleanCounts)
      expect(run.result.checksums.source).toBe(run.result.checksums.target)

      // metaData.description is `direction: both` (sync carries a target edit back to the CRM); name is the CRM's alone.
      const cases = [...casesByExternalId(yield* viewTarget(sandbox))]
        .filter(([id]) => id.startsWith("khoros-"))
        .map(([id, found]) => ({ id, kase: found[0]! }))
      const { id: twoWayId, kase: twoWay } = cases[0]!
      const { id: oneWayId, kase: oneWay } = cases[1]!
      expect(yield* send(sandbox, "PUT", `/people/${twoWay.borrowerIds[0]}/cases/${twoWay.id}`, {
        metaData: { ...twoWay.metaData, description: "Edited by an agent" }
      })).toBe(200)
      expect(yield* send(sandbox, "PUT", `/people/${oneWay.borrowerIds[0]}/cases/${oneWay.id}`, { name: "Renamed by an agent" })).toBe(200)

      const fixes = path.join(dir, "fixes.json")
      const found = yield* reconcile(config, "--plan-fixes", fixes)
      expect(found.exitCode).toBe(3)
      expect(found.result.drift.map((d) => [d.externalId, d.fields.map((f) => [f.field, f.moved])]).sort()).toEqual([
        [oneWayId, [["name", "target"]]],
        [twoWayId, [["metaData.description", "target"]]]
      ].sort())
      expect(found.result.files.fixes).toMatchObject({ creates: 0, updates: 1 })
      expect((yield* runCli(["apply", "--config", config, "--plan", fixes])).exitCode).toBe(0)
      const after = yield* reconcile(config)
      expect(after.result.drift.map((d) => d.externalId)).toEqual([twoWayId])
    }))
})
