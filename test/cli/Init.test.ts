import { it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { parse } from "yaml"
import { zoneQuestion } from "../../src/init/RenderMapping.js"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { runCli } from "../apply/e2e/CliInProcess.js"
import { makeTempDir, samples } from "../apply/e2e/Workspace.js"

// `casesync init` through the real command tree, then `casesync validate` on what it wrote,
// against the sandbox (whose Khoros part serves /meta/object/case under /crm).

/** Runs with these environment variables set (the written config takes its secrets from them). */
const withEnv = <A, E, R>(vars: Record<string, string>, effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
      Object.assign(process.env, vars)
      return before
    }),
    () => effect,
    (before) =>
      Effect.sync(() => {
        for (const [name, value] of Object.entries(before)) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

const problemLines = (stderr: string) => stderr.split("\n").filter((line) => /\.yaml:\d+:\d+ /.test(line))

describe("casesync init", () => {
  it.scopedLive("from the CSV sample: a commented config and mapping that validate runs on, refusing the zone and case-type questions at their lines", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("init-csv")
      const config = path.join(dir, "casesync.yaml")
      const mapping = path.join(dir, "casesync.mapping.yaml")
      const init = yield* runCli(["init", "--csv", samples.csv, "--config", config])
      expect(init.exitCode, init.stderr).toBe(0)
      expect(init.stdout).toContain(`wrote ${config} and ${mapping}`)

      const written = parse(fs.readFileSync(mapping, "utf-8"))
      const text = fs.readFileSync(mapping, "utf-8")
      expect(written.fields.openedAt).toEqual({ from: "created_at", datetime: { timezone: zoneQuestion }, required: true })
      expect(text).toMatch(/# TODO: \d+ of \d+ values seen in the first 200 rows have no UTC offset: in which time zone were they written\?/)
      expect(written.key).toBe("{case_id}")
      expect(written.borrower).toEqual({ externalId: "{borrower_ref}" })
      expect(Object.keys(written.caseType.map).sort()).toEqual(["BK", "DISP", "FRAUD", "GEN"])
      expect(text.split("\n").filter((line) => line.trimStart().startsWith("# guess:")).length).toBeGreaterThanOrEqual(8)
      expect(parse(fs.readFileSync(config, "utf-8")).source).toMatchObject({ kind: "csv", path: samples.csv, encoding: "utf-8" })

      const validate = yield* withEnv({ PEACH_BASE_URL: sandbox.url, PEACH_API_TOKEN: "sandbox-token" }, runCli(["validate", "--config", config]))
      expect(validate.exitCode, validate.stdout).toBe(2)
      const problems = problemLines(validate.stderr)
      // Each code's case type and each local-time column's zone: decisions, each at its line.
      expect(problems.filter((line) => line.includes("no active case type is called 'TODO")).length).toBe(4)
      expect(problems.filter((line) => line.includes("unknown time zone 'TODO")).map((line) => line.trim().split(" ")[1])).toEqual([
        "fields/openedAt/datetime/timezone:",
        "fields/metaData.updatedAt/datetime/timezone:"
      ])
      const zoneLine = Number(problems.find((line) => line.includes("openedAt/datetime"))!.match(/\.yaml:(\d+):/)![1])
      expect(text.split("\n")[zoneLine - 1]).toContain("timezone:")

      // Once those are decided, validate names the enum code left open, then the fields left unmapped.
      const decided = text
        .replace(/"TODO: the case type for (GEN|FRAUD)"/g, "Legacy servicing case")
        .replace('"TODO: the case type for BK"', "Bankruptcy")
        .replace('"TODO: the case type for DISP"', "Dispute of debt")
        .replaceAll(JSON.stringify(zoneQuestion), "America/New_York")
      fs.writeFileSync(mapping, decided)
      const next = yield* withEnv({ PEACH_BASE_URL: sandbox.url, PEACH_API_TOKEN: "sandbox-token" }, runCli(["validate", "--config", config]))
      expect(next.exitCode).toBe(2)
      expect(problemLines(next.stderr)).toEqual([expect.stringContaining("fields/status/map/PENDING_REVIEW: map value for 'PENDING_REVIEW' does not fit status")])
      fs.writeFileSync(mapping, decided.replace(/"TODO: one of [^"]*"/, "processing"))
      const last = yield* withEnv({ PEACH_BASE_URL: sandbox.url, PEACH_API_TOKEN: "sandbox-token" }, runCli(["validate", "--config", config]))
      expect(last.exitCode, last.stderr).toBe(0)
      expect(last.stdout).toContain("coverage: 8 source field(s) neither mapped nor ignored: priority, channel, agent_code, notes, trustee_name, dispute_channel, branch_code, legacy_checksum")
    }), { timeout: 120_000 })

  it.scopedLive("from the CRM's /meta/object/case: the documented and custom fields, and validate refuses the case-type question", () =>
    Effect.gen(function*() {
      const sandbox = yield* startSandbox()
      const dir = yield* makeTempDir("init-crm")
      const config = path.join(dir, "crm.yaml")
      const mapping = path.join(dir, "crm.mapping.yaml")
      const init = yield* runCli(["init", "--crm", sandbox.crmUrl, "--crm-api-key", "sandbox-key", "--config", config])
      expect(init.exitCode, init.stderr).toBe(0)
      const text = fs.readFileSync(mapping, "utf-8")
      const written = parse(text)
      expect(written.key).toBe("{id}")
      expect(written.borrower).toEqual({ externalId: "{customerId}" })
      expect(written.fields.openedAt).toEqual({ from: "created", datetime: {}, required: true })
      expect(written.fields["metaData.escalated"]).toEqual({ from: "escalated", type: "boolean" })
      for (const custom of ["priority", "product", "resolutionNote"]) expect(text).toContain(`#   ${custom}`)
      const configText = fs.readFileSync(config, "utf-8")
      expect(configText).not.toContain("sandbox-key")
      expect(parse(configText).source).toMatchObject({ kind: "khoros", baseUrl: sandbox.crmUrl, apiKey: "${KHOROS_API_KEY}" })

      const env = { PEACH_BASE_URL: sandbox.url, PEACH_API_TOKEN: "sandbox-token", KHOROS_API_KEY: "sandbox-key" }
      const validate = yield* withEnv(env, runCli(["validate", "--config", config]))
      expect(validate.exitCode).toBe(2)
      expect(problemLines(validate.stderr)).toEqual([expect.stringContaining("caseType/name: no active case type is called 'TODO: the target case type's name'")])
      // The case type chosen, validate names what that type requires and nothing sets.
      const typed = text.replace(`"TODO: the target case type's name"`, "CRM conversation")
      fs.writeFileSync(mapping, typed)
      const next = yield* withEnv(env, runCli(["validate", "--config", config]))
      expect(next.exitCode).toBe(2)
      expect(problemLines(next.stderr)).toEqual([expect.stringContaining("requires customFields.crmNumber, but no field sets it")])
      fs.writeFileSync(mapping, typed.replace("fields:\n", "fields:\n  customFields.crmNumber: number\n"))
      const last = yield* withEnv(env, runCli(["validate", "--config", config]))
      expect(last.exitCode, last.stderr).toBe(0)
      expect(last.stdout).toContain("coverage: 6 source field(s) neither mapped nor ignored: description, url, interactions, priority, product, resolutionNote")
    }), { timeout: 120_000 })

  it.scopedLive("refuses to overwrite the config or the mapping: exit code 2, and nothing written", () =>
    Effect.gen(function*() {
      const dir = yield* makeTempDir("init-exists")
      const config = path.join(dir, "casesync.yaml")
      const mapping = path.join(dir, "casesync.mapping.yaml")
      fs.writeFileSync(mapping, "# mine\n")
      const refused = yield* runCli(["init", "--csv", samples.csv, "--config", config])
      expect(refused.exitCode).toBe(2)
      expect(refused.stderr).toContain(`${mapping} already exists; init never overwrites`)
      expect(fs.readdirSync(dir)).toEqual(["casesync.mapping.yaml"])
      expect(fs.readFileSync(mapping, "utf-8")).toBe("# mine\n")

      fs.rmSync(mapping)
      fs.writeFileSync(config, "# mine\n")
      expect((yield* runCli(["init", "--csv", samples.csv, "--config", config])).exitCode).toBe(2)
      expect(fs.readdirSync(dir)).toEqual(["casesync.yaml"])
      expect(fs.readFileSync(config, "utf-8")).toBe("# mine\n")
    }))

  it.scopedLive("without a source, with both, or with a CSV that does not exist: exit code 2, and nothing written", () =>
    Effect.gen(function*() {
      const dir = yield* makeTempDir("init-nosource")
      const config = path.join(dir, "casesync.yaml")
      for (const args of [[], ["--csv", samples.csv, "--crm", "http://127.0.0.1:9/crm"]]) {
        const result = yield* runCli(["init", ...args, "--config", config])
        expect(result.exitCode).toBe(2)
        expect(result.stderr).toContain("give exactly one of --csv FILE or --crm URL")
      }
      const missing = yield* runCli(["init", "--csv", path.join(dir, "no-such.csv"), "--config", config])
      expect(missing.exitCode).toBe(2)
      expect(fs.readdirSync(dir)).toEqual([])
    }))

  it.scopedLive("into folders that do not exist yet: it makes them for the config as for the mapping", () =>
    Effect.gen(function*() {
      const dir = yield* makeTempDir("init-folders")
      const config = path.join(dir, "jobs", "legacy", "casesync.yaml")
      const mapping = path.join(dir, "mappings", "legacy.yaml")
      const made = yield* runCli(["init", "--csv", samples.csv, "--config", config, "--mapping", mapping])
      expect(made.exitCode, made.stderr).toBe(0)
      expect(fs.existsSync(config) && fs.existsSync(mapping)).toBe(true)
      expect(made.stdout).toContain(`next: casesync validate --config ${config}`)
    }))
})
