import Sqlite from "better-sqlite3"
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
    const claimExternalId = db.prepare("INSERT OR IGNORE INTO seen_external_id VALUES (?, ?)")
    const claimKey = db.prepare("INSERT OR IGNORE INTO seen_key VALUES (?, ?)")
    const releaseExternalId = db.prepare("DELETE FROM seen_external_id WHERE external_id = ?")
    const externalIdAt = db.prepare("SELECT location FROM seen_external_id WHERE external_id = ?")
    const keyAt = db.prepare("SELECT location FROM seen_key WHERE source_key = ?")
    const putTarget = db.prepare("INSERT OR REPLACE INTO target_case VALUES (?, ?)")
    const targetOf = db.prepare("SELECT json FROM target_case WHERE external_id = ?")
    const targets = db.prepare("SELECT COUNT(*) AS n FROM target_case")
    const location = (row: unknown) => (row as { location: string }).location
    return {
      file,
      claim: db.transaction((records: ReadonlyArray<{ readonly externalId: string; readonly sourceKey: string; readonly where: string }>) =>
        records.map(({ externalId, sourceKey, where }): FirstSeen | undefined => {
          if (claimExternalId.run(externalId, where).changes === 0) {
            return { field: "externalId", first: location(externalIdAt.get(externalId)) }
          }
          if (claimKey.run(sourceKey, where).changes === 0) {
            // The record is rejected: its externalId stays unclaimed, as if it had never been seen.
            releaseExternalId.run(externalId)
            return { field: "key", first: location(keyAt.get(sourceKey)) }
          }
          return undefined
        })
      ),
      putTargets: db.transaction((cases: ReadonlyArray<readonly [string, TargetCase]>) => {
        for (const [externalId, kase] of cases) putTarget.run(externalId, JSON.stringify(kase))
      }),
      getTarget: (externalId) => {
        const row = targetOf.get(externalId) as { json: string } | undefined
        return row === undefined ? undefined : (JSON.parse(row.json) as TargetCase)
      },
      targetCount: () => (targets.get() as { n: number }).n
    }
  }
)
