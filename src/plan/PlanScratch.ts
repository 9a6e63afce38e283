import Sqlite, { type Statement } from "better-sqlite3"
import { Effect, type Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { TargetCase } from "./Decide.js"

/** The location that already produced a record's externalId or source key, when one did. */
export interface FirstSeen {
  readonly field: "externalId" | "key"
  readonly first: string
}

/**
 * What a plan keeps per record and per target case while it runs — the keys seen so far
 * and the target's cases by externalId — in a temporary SQLite file instead of the heap,
 * so the planner's memory does not grow with the input or the target. Plain synchronous
 * calls (better-sqlite3), made a batch at a time inside one transaction.
 */
export interface PlanScratch {
  /** The temporary SQLite file (removed with its folder when the scope closes). */
  readonly file: string
  /**
   * Claims, in order, each record's externalId and key: for each, what already produced
   * one of them (the externalId is checked first), or `undefined` when the record is the first
   * and its keys are now claimed by `where`.
   */
  readonly claim: (
    records: ReadonlyArray<{ readonly externalId: string; readonly sourceKey: string; readonly where: string }>
  ) => Array<FirstSeen | undefined>
  /** Stores target cases by externalId (a later one replaces an earlier one, as a Map would). */
  readonly putTargets: (cases: ReadonlyArray<readonly [string, TargetCase]>) => void
  readonly getTarget: (externalId: string) => TargetCase | undefined
  /** The same for a batch of externalIds, in one query per batch. */
  readonly getTargets: (externalIds: ReadonlyArray<string>) => ReadonlyMap<string, TargetCase>
  /** How many target cases are stored (one per externalId). */
  readonly targetCount: () => number
}

/** Opens a scratch store in a temporary directory, removed when the scope closes. */
export const openPlanScratch: Effect.Effect<PlanScratch, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casesync-plan-scratch-"))
      const file = path.join(dir, "scratch.db")
      const db = new Sqlite(file)
      // Scratch data, rebuilt by every plan: no journal, no fsync, a small page cache.
      db.pragma("journal_mode = OFF")
      db.pragma("synchronous = OFF")
      db.pragma("cache_size = -16000")
      db.exec(`
        CREATE TABLE seen_external_id (external_id TEXT PRIMARY KEY, location TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE seen_key (source_key TEXT PRIMARY KEY, location TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE target_case (external_id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
      `)
      return { dir, db, file }
    }),
    ({ db, dir }) =>
      Effect.sync(() => {
        db.close()
        fs.rmSync(dir, { recursive: true, force: true })
      })
  ),
  ({ db, file }): PlanScratch => {
    // Statements for a batch of n records, prepared once per size (batches are mostly full).
    const statements = new Map<number, { readonly externalIds: Statement; readonly keys: Statement; readonly insertExternalIds: Statement; readonly insertKeys: Statement }>()
    const statementsFor = (n: number) => {
      let found = statements.get(n)
      if (found === undefined) {
        const list = Array.from({ length: n }, () => "?").join(", ")
        const pairs = Array.from({ length: n }, () => "(?, ?)").join(", ")
        found = {
          externalIds: db.prepare(`SELECT external_id AS id, location FROM seen_external_id WHERE external_id IN (${list})`),
          keys: db.prepare(`SELECT source_key AS id, location FROM seen_key WHERE source_key IN (${list})`),
          insertExternalIds: db.prepare(`INSERT INTO seen_external_id VALUES ${pairs}`),
          insertKeys: db.prepare(`INSERT INTO seen_key VALUES ${pairs}`)
        }
        if (statements.size < 64) statements.set(n, found)
      }
      return found
    }
    const seenIn = (statement: Statement, ids: ReadonlyArray<string>) =>
      new Map((statement.all(...ids) as Array<{ id: string; location: string }>).map((row) => [row.id, row.location]))
    const putTarget = db.prepare("INSERT OR REPLACE INTO target_case VALUES (?, ?)")
    const targetOf = db.prepare("SELECT json FROM target_case WHERE external_id = ?")
    const targets = db.prepare("SELECT COUNT(*) AS n FROM target_case")
    const targetStatements = new Map<number, Statement>()
    const targetsOf = (n: number) => {
      let found = targetStatements.get(n)
      if (found === undefined) {
        found = db.prepare(`SELECT external_id AS id, json FROM target_case WHERE external_id IN (${Array.from({ length: n }, () => "?").join(", ")})`)
        if (targetStatements.size < 64) targetStatements.set(n, found)
      }
      return found
    }
    const location = (row: unknown) => (row as { location: string }).location
    return {
      file,
      // One query per table for the batch's keys, then the rule in order, then one insert per table.
      claim: db.transaction((records: ReadonlyArray<{ readonly externalId: string; readonly sourceKey: string; readonly where: string }>) => {
        if (records.length === 0) return []
        const unique = (ids: ReadonlyArray<string>) => [...new Set(ids)]
        const externalIds = unique(records.map((r) => r.externalId))
        const keys = unique(records.map((r) => r.sourceKey))
        const seenExternalIds = seenIn(statementsFor(externalIds.length).externalIds, externalIds)
        const seenKeys = seenIn(statementsFor(keys.length).keys, keys)
        const claimed: Array<readonly [string, string, string]> = []
        const verdicts = records.map(({ externalId, sourceKey, where }): FirstSeen | undefined => {
          const first = seenExternalIds.get(externalId)
          if (first !== undefined) return { field: "externalId", first }
          const firstOfKey = seenKeys.get(sourceKey)
          if (firstOfKey !== undefined) return { field: "key", first: firstOfKey }
          seenExternalIds.set(externalId, where)
          seenKeys.set(sourceKey, where)
          claimed.push([externalId, sourceKey, where])
          return undefined
        })
        if (claimed.length > 0) {
          const statements = statementsFor(claimed.length)
          statements.insertExternalIds.run(...claimed.flatMap(([externalId, , where]) => [externalId, where]))
          statements.insertKeys.run(...claimed.flatMap(([, sourceKey, where]) => [sourceKey, where]))
        }
        return verdicts
      }),
      putTargets: db.transaction((cases: ReadonlyArray<readonly [string, TargetCase]>) => {
        for (const [externalId, kase] of cases) putTarget.run(externalId, JSON.stringify(kase))
      }),
      getTarget: (externalId) => {
        const row = targetOf.get(externalId) as { json: string } | undefined
        return row === undefined ? undefined : (JSON.parse(row.json) as TargetCase)
      },
      getTargets: (externalIds) => {
        const ids = [...new Set(externalIds)]
        const found = new Map<string, TargetCase>()
        if (ids.length === 0) return found
        const rows = targetsOf(ids.length).all(...ids) as Array<{ id: string; json: string }>
        for (const row of rows) found.set(row.id, JSON.parse(row.json) as TargetCase)
        return found
      },
      targetCount: () => (targets.get() as { n: number }).n
    }
  }
)
