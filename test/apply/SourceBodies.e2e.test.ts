import { NodeContext } from "@effect/platform-node"
import { it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect, Layer, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { applyMigration } from "../../src/apply/ApplyMigration.js"
import { loadConfiguredMapping, mappingLayer } from "../../src/cli/RunContext.js"
import { loadRunConfig, type RunConfig } from "../../src/config/RunConfig.js"
import { CaseCreate } from "../../src/domain/peach/Case.js"
import type { LoadedMapper } from "../../src/plan/PlanMigration.js"
import { readPlanHeader } from "../../src/plan/PlanFile.js"
import { startSandbox } from "../../src/sandbox/SandboxServer.js"
import { readCsv } from "../../src/sources/csv/CsvSource.js"
import { StateStore } from "../../src/state/StateStore.js"
import { PeachClient } from "../../src/target/PeachClient.js"
import { runCli } from "./e2e/CliInProcess.js"
import { spawnCli } from "./e2e/CliProcess.js"
import { csvLinesOfFirstRecords, expectedCsv } from "./e2e/Expected.js"
import { readCsvRows } from "./e2e/RunOutputs.js"
import { requestsBetween, targetProblems, viewTarget, writeRequests } from "./e2e/TargetCheck.js"
import { copyCsv, makeTempDir, samples, writeCsvConfig } from "./e2e/Workspace.js"

// A CSV plan's creates refer to their source record: apply makes each body again from the file
// the plan read, with the mapping the plan was made with, and sends only a body that is the
// planned one. A changed or missing file refuses the whole plan; a body that comes out otherwise
// is refused on its own.

const records = 40

const workspace = (name: string) =>
  Effect.gen(function*() {
    const sandbox = yield* startSandbox()
    const dir = yield* makeTempDir(name)
    const csv = copyCsv(samples.csv, path.join(dir, "legacy-cases.csv"), {}, { keepLines: csvLinesOfFirstRecords(records) })
    const configFile = writeCsvConfig({ dir, csv, targetUrl: sandbox.url })
    const planFile = path.join(dir, "out", "plan.json")
    expect((yield* runCli(["plan", "--config", configFile])).exitCode).toBe(3)
    const config = yield* loadRunConfig(configFile)
    return { sandbox, dir, csv, configFile, config, planFile, expected: expectedCsv({ records, csv }) }
  })

const loadMapper = (config: RunConfig) =>
  Effect.map(loadConfiguredMapping(config).pipe(Effect.provide(mappingLayer(config))), ({ compiled, mapper }) => ({ compiled, mapper }))

/** Applies in this process through a client that records every body it is asked to create, by externalId. */
const applyRecording = (config: RunConfig, mapper: LoadedMapper, planFile: string) =>
  Effect.gen(function*() {
    const sent = new Map<string, CaseCreate>()
    const recording = Layer.effect(
      PeachClient,
      Effect.map(PeachClient, (client) => ({
        ...client,
        createCase: (personId: string, body: CaseCreate) =>
          Effect.sync(() => void sent.set(String(body.externalId), body)).pipe(Effect.zipRight(client.createCase(personId, body)))
      }))
    ).pipe(Layer.provide(PeachClient.layer(config.target)))
    const outcome = yield* applyMigration(config, mapper, planFile, { command: "apply" }).pipe(
      Effect.provide(Layer.merge(recording, StateStore.layerSqlite({ filename: config.state })))
    )
    return { outcome, sent }
  })

const ledgerCounts = (config: RunConfig) =>
  Effect.flatMap(StateStore, (store) => store.countByState(config.job)).pipe(Effect.provide(StateStore.layerSqlite({ filename: config.state })))

describe("a CSV plan's creates refer to their source records", () => {
  it.scopedLive("the plan holds no body; apply creates exactly the bodies the mapping makes of the records", () =>
    Effect.gen(function*() {
      const { config, expected, planFile, sandbox } = yield* workspace("refs-apply")
      const creates = fs.readFileSync(planFile, "utf-8").split("\n").filter((line) => line.startsWith("{\"_tag\":\"create\""))
      expect(creates).toHaveLength(expected.created.length)
      for (const line of creates) {
        expect(line).not.toContain("\"body\"")
        expect(Buffer.byteLength(`${line}\n`)).toBeLessThanOrEqual(150)
      }

      // What the mapping makes of every record of the file, straight from the compiled mapping.
      const { compiled, mapper } = yield* loadMapper(config)
      const made = new Map<string, unknown>()
      yield* Stream.runForEach(readCsv({ ...(config.source as Extract<RunConfig["source"], { kind: "csv" }>) }), (item) =>
        item._tag === "Record"
          ? Effect.map(compiled.mapRecord(item), (result) => void (result._tag === "Rejection" ? undefined : made.set(result.externalId, result.body)))
          : Effect.void)

      const { outcome, sent } = yield* applyRecording(config, mapper, planFile)
      expect(outcome.counts).toMatchObject({ create: expected.created.length, reject: expected.rejected.length, conflict: 0 })
      expect([...sent.keys()].sort()).toEqual(expected.created.map((c) => c.externalId).sort())
      for (const [externalId, body] of sent) expect(body, externalId).toEqual(Schema.decodeUnknownSync(CaseCreate)(made.get(externalId)))
      expect(targetProblems(yield* viewTarget(sandbox), expected.created, { prefix: "legacy-" })).toEqual([])
    }).pipe(Effect.provide(NodeContext.layer)), { timeout: 120_000 })

  it.scopedLive("a CSV edited, grown or removed after the plan: apply --plan refuses it whole naming the file and what differs, exit 2, no write", () =>
    Effect.gen(function*() {
      const { config, configFile, csv, dir, expected, planFile, sandbox } = yield* workspace("refs-source-changed")
      const original = fs.readFileSync(csv)
      const header = yield* readPlanHeader(planFile)
      expect(header.sourceFile).toMatchObject({ size: original.length, options: { path: config.source.kind === "csv" ? config.source.path : "" } })
      const variants: Array<[string, () => void, ReadonlyArray<string>]> = [
        ["one byte edited", () => copyCsv(csv, csv, { 2: (line) => line.replace("Autopay enrollment", "Autopay enrollmenT") }), [
          `same size (${original.length} bytes), but its SHA-256 was ${header.sourceFile!.sha256.slice(0, 12)}`
        ]],
        ["a row added", () => fs.appendFileSync(csv, "LC-999999,BRW-1055,GEN,OPEN,,P2,,AG-004,Added,,2022-02-03 04:32:18,,,,NJ-01,x\r\n"), [
          `it had ${original.length} bytes`
        ]],
        ["removed", () => fs.rmSync(csv), ["which is missing"]]
      ]
      const before = yield* sandbox.stats.snapshot
      for (const [name, change, says] of variants) {
        fs.writeFileSync(csv, original)
        change()
        const refused = yield* spawnCli(["apply", "--config", configFile, "--plan", planFile])
        expect(refused.exitCode, `${name}: ${refused.stderr}`).toBe(2)
        expect(refused.stderr, name).toContain(csv)
        for (const text of says) expect(refused.stderr, name).toContain(text)
        expect(refused.stderr, name).toContain("make a new plan")
      }
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({})
      expect(yield* ledgerCounts(config)).toEqual({ planned: 0, sent: 0, confirmed: 0, rejected: 0 })

      // The file as the plan read it: the plan applies.
      fs.writeFileSync(csv, original)
      const applied = yield* runCli(["apply", "--config", configFile, "--plan", planFile])
      expect(applied.exitCode, applied.stderr).toBe(3)
      expect(targetProblems(yield* viewTarget(sandbox), expected.created, { prefix: "legacy-" })).toEqual([])
      expect(fs.existsSync(path.join(dir, "out", "rejects.csv"))).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer)), { timeout: 120_000 })

  it.scopedLive("a lookup file edited after the plan: the plan is refused (the mapping's digest covers it); a body made otherwise is refused on its own, never sent", () =>
    Effect.gen(function*() {
      const { config, configFile, csv, dir, expected, planFile, sandbox } = yield* workspace("refs-lookup-changed")
      const agents = path.join(dir, "samples/lookups/agents.csv")
      fs.writeFileSync(agents, fs.readFileSync(agents, "utf-8").replace("daniel.kim@acme-lending.example", "d.kim@acme-lending.example"))

      const before = yield* sandbox.stats.snapshot
      const refused = yield* spawnCli(["apply", "--config", configFile, "--plan", planFile])
      expect(refused.exitCode, refused.stderr).toBe(2)
      expect(refused.stderr).toContain("the mapping changed since the plan was made")
      expect(writeRequests(requestsBetween(before, yield* sandbox.stats.snapshot))).toEqual({})

      // A mapping that makes other bodies where the digest cannot tell (held here to the plan's, as a
      // change of casesync itself would be): the records of agent AG-004 now map to another email.
      const header = yield* readPlanHeader(planFile)
      const { mapper } = yield* loadMapper(config)
      const rows = parse(fs.readFileSync(csv), { bom: true, columns: true, relax_column_count: true }) as Array<Record<string, string>>
      const ofAgent = new Set(rows.filter((row) => row["agent_code"]?.trim() === "AG-004").map((row) => `legacy-${row["case_id"]}`))
      const affected = expected.created.filter((c) => ofAgent.has(c.externalId))
      expect(affected.length).toBeGreaterThan(0)

      const { outcome, sent } = yield* applyRecording(config, { ...mapper, digest: header.mappingDigest }, planFile)
      expect(outcome.counts).toMatchObject({ create: expected.created.length - affected.length, reject: expected.rejected.length + affected.length })
      for (const c of affected) expect(sent.has(c.externalId), c.externalId).toBe(false)
      expect(sent.size).toBe(expected.created.length - affected.length)
      const rejects = readCsvRows(path.join(dir, "out", "rejects.csv")).filter((row) => ofAgent.has(row["external_id"]!) && row["field"] === "(body)")
      expect(rejects.map((row) => row["external_id"]).sort()).toEqual(affected.map((c) => c.externalId).sort())
      for (const row of rejects) expect(row["reason"]).toContain("is not the one planned")
      const unaffected = expected.created.filter((c) => !ofAgent.has(c.externalId))
      const view = yield* viewTarget(sandbox)
      expect(targetProblems(view, unaffected, { prefix: "legacy-" })).toEqual([])
      expect(yield* ledgerCounts(config)).toMatchObject({ sent: 0, confirmed: unaffected.length })
    }).pipe(Effect.provide(NodeContext.layer)), { timeout: 120_000 })
})
