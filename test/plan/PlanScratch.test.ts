import { it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import type { Case } from "../../src/domain/peach/Case.js"
import { memoryClaims } from "../../src/plan/Planner.js"
import { openPlanScratch, sweepStaleScratch } from "../../src/plan/PlanScratch.js"
import { indexTargetCases, indexTargetCasesIn } from "../../src/plan/TargetIndex.js"

const records = [
  { externalId: "e1", sourceKey: "k1", where: "a.csv:2" },
  { externalId: "e1", sourceKey: "k9", where: "a.csv:3" }, // externalId seen: refused, k9 stays free
  { externalId: "e2", sourceKey: "k1", where: "a.csv:4" }, // key seen: refused, e2 stays free
  { externalId: "e2", sourceKey: "k9", where: "a.csv:5" }, // both free now
  { externalId: "e3", sourceKey: "k3", where: "a.csv:6" },
  { externalId: "e3", sourceKey: "k3", where: "a.csv:7" }
]

const kase = (n: number, externalId: string | null, deletedAt?: string): Case => ({
  id: `CS-${n}`,
  object: "case",
  createdAt: "2024-01-01T00:00:00.000Z",
  updatedAt: `2024-01-0${n}T00:00:00.000Z`,
  externalId,
  people: ["BO-1"],
  borrowerIds: ["BO-1"],
  name: `case ${n}`,
  status: "initiated",
  customFields: { code: String(n) },
  typeId: "101",
  ...(deletedAt === undefined ? {} : { deletedAt })
})

describe("plan scratch store", () => {
  it.scoped("claims keys exactly as the in-memory rule does, across batches, and says who was first", () =>
    Effect.gen(function*() {
      const scratch = yield* openPlanScratch
      const expected = memoryClaims()(records)
      expect(expected.map((v) => v?.field)).toEqual([undefined, "externalId", "key", undefined, undefined, "externalId"])
      expect([...scratch.claim(records.slice(0, 3)), ...scratch.claim(records.slice(3))]).toEqual(expected)
      expect(expected[2]).toEqual({ field: "key", first: "a.csv:2" })
    }))

  it.scoped("holds the target index on disk: the same cases as the in-memory index, counted once per externalId", () =>
    Effect.gen(function*() {
      const scratch = yield* openPlanScratch
      const cases = [kase(1, "x-1"), kase(2, "x-2"), kase(3, null), kase(4, "x-4", "2024-02-01T00:00:00.000Z"), kase(5, "x-1")]
      const owned = ["name", "customFields.code"]
      // Read back into memory (at most 1,000 cases by default), or looked up on disk (none held).
      const heldBack = yield* indexTargetCasesIn(scratch, Stream.fromIterable(cases).pipe(Stream.rechunk(2)), owned)
      const onDisk = yield* indexTargetCasesIn(scratch, Stream.fromIterable(cases).pipe(Stream.rechunk(2)), owned, 0)
      const inMemory = yield* indexTargetCases(Stream.fromIterable(cases), owned)
      for (const index of [heldBack, onDisk]) {
        expect(index.size).toBe(inMemory.size)
        for (const id of ["x-1", "x-2", "x-4", "x-9"]) expect(index.byExternalId.get(id)).toEqual(inMemory.byExternalId.get(id))
        expect(index.byExternalId.get("x-1")?.caseId).toBe("CS-5")
        // A batch's lookups (on disk, in one query): the same answers, unknown and repeated ids included.
        const many = index.byExternalId.getMany!(["x-1", "x-9", "x-2", "x-1"])
        expect([...many.keys()].sort()).toEqual(["x-1", "x-2"])
        for (const id of ["x-1", "x-2"]) expect(many.get(id)).toEqual(inMemory.byExternalId.get(id))
      }
    }))

  it.scoped("answers lookups against an empty target without touching the store", () =>
    Effect.gen(function*() {
      const scratch = yield* openPlanScratch
      const empty = yield* indexTargetCasesIn(scratch, Stream.empty, ["name"])
      expect(empty.size).toBe(0)
      expect(empty.byExternalId.get("x-1")).toBeUndefined()
      expect(empty.byExternalId.getMany!(["x-1"]).size).toBe(0)
    }))

  it.effect("leaves nothing behind once the plan is done", () =>
    Effect.gen(function*() {
      const file = yield* Effect.scoped(Effect.map(openPlanScratch, (scratch) => (scratch.claim(records), scratch.file)))
      expect(file.startsWith(os.tmpdir())).toBe(true)
      expect(fs.existsSync(path.dirname(file))).toBe(false)
    }))

  it.effect("a plan killed outright leaves its scratch folder; the next plan removes it, and no running plan's", () =>
    Effect.gen(function*() {
      // A real process that made a scratch folder and was killed before it could remove it.
      const child = spawnSync(process.execPath, ["-e", `
        const fs = require("node:fs"), os = require("node:os"), path = require("node:path")
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-plan-scratch-" + process.pid + "-"))
        fs.writeFileSync(path.join(dir, "scratch.db"), "x".repeat(1000))
        console.log(dir)
        process.kill(process.pid, "SIGKILL")
      `], { encoding: "utf8" })
      expect(child.signal).toBe("SIGKILL")
      const killed = child.stdout.trim()
      expect(fs.existsSync(path.join(killed, "scratch.db"))).toBe(true)
      // One of a process that still runs (this one's parent), and a folder not named by a pid.
      const running = fs.mkdtempSync(path.join(os.tmpdir(), `casesync-plan-scratch-${process.ppid}-`))
      const unnamed = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-plan-scratch-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => [running, unnamed].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }))))

      const file = yield* Effect.scoped(Effect.map(openPlanScratch, (scratch) => scratch.file))
      expect(path.basename(path.dirname(file))).toMatch(new RegExp(`^casesync-plan-scratch-${process.pid}-`))
      expect(fs.existsSync(killed)).toBe(false)
      expect(fs.existsSync(running)).toBe(true)
      expect(fs.existsSync(unnamed)).toBe(true)
    }).pipe(Effect.scoped))

  it("the sweep leaves folders it may not remove, and a temporary folder it cannot read", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-sweep-"))
    try {
      fs.mkdirSync(path.join(tmp, "casesync-plan-scratch-4242-abc"))
      fs.mkdirSync(path.join(tmp, "casesync-plan-scratch-4343-abc"))
      fs.mkdirSync(path.join(tmp, "other-4242-abc"))
      expect(sweepStaleScratch(tmp, (pid) => pid === 4343)).toEqual(["casesync-plan-scratch-4242-abc"])
      expect(fs.readdirSync(tmp).sort()).toEqual(["casesync-plan-scratch-4343-abc", "other-4242-abc"])
      expect(sweepStaleScratch(path.join(tmp, "missing"))).toEqual([])
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })
})
