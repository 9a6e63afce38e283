import Sqlite, { type Statement } from "better-sqlite3"
import { Effect, type Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { processAlive } from "../state/LocalProcess.js"
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
  /** Every target case held, read into memory (for a target small enough to hold). */
  readonly allTargets: () => Map<string, TargetCase>
}

/** How a scratch folder is named: this prefix, the pid of the plan that made it, a dash and random characters. */
const scratchPrefix = "casesync-plan-scratch-"
const scratchName = new RegExp(`^${scratchPrefix}(\\d+)-`)

/**
 * Removes the scratch folders left by plans whose process is gone: one killed outright (SIGKILL,
 * the OOM killer, a power cut) never closes its scope, and a million-record plan's scratch file
 * holds about 100 MB. A folder's name says which process made it; the folders of running
 * processes, folders named otherwise and what this user may not remove stay. Returns the names removed.
 */
export const sweepStaleScratch = (tmp: string = os.tmpdir(), alive: (pid: number) => boolean = processAlive): ReadonlyArray<string> => {
  let names: ReadonlyArray<string>
  try {
    names = fs.readdirSync(tmp)
  } catch {
    return []
  }
  const removed: Array<string> = []
  for (const name of names) {
    const pid = scratchName.exec(name)?.[1]
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue
    try {
      fs.rmSync(path.join(tmp, name), { recursive: true, force: true })
      removed.push(name)
    } catch {
      // Another user's, or already gone: not ours to worry about.
    }
  }
  return removed
}

/** Opens a scratch store in a temporary directory, removed when the scope closes (and by the next plan, if this one is killed). */
export const openPlanScratch: Effect.Effect<PlanScratch, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => {
      sweepStaleScratch()
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${scratchPrefix}${process.pid}-`))
      const file = path.join(dir, "scratch.db")
      const db = new Sqlite(file)
      // Scratch data, rebuilt by every plan: no fsync, a small page cache, and the journal in memory
      // (a claim rolls its batch back when it meets a duplicate, which needs a journal).
      db.pragma("journal_mode = MEMORY")
      db.pragma("synchronous = OFF")
      db.pragma("cache_size = -16000")
      db.exec(`
        CREATE TABLE seen (id TEXT PRIMARY KEY, location TEXT NOT NULL) WITHOUT ROWID;
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
    // One table for both kinds of key, told apart by a prefix, so a record costs one insert of two rows.
    const externalIdKey = (externalId: string) => `e:${externalId}`
    const sourceKeyKey = (sourceKey: string) => `k:${sourceKey}`
    // Statements for a batch of n records, prepared once per size (batches are mostly full).
    const statements = new Map<number, { readonly seen: Statement; readonly insert: Statement; readonly insertNew: Statement }>()
    const statementsFor = (n: number) => {
      let found = statements.get(n)
      if (found === undefined) {
        const list = Array.from({ length: 2 * n }, () => "?").join(", ")
        const pairs = Array.from({ length: 2 * n }, () => "(?, ?)").join(", ")
        found = {
          seen: db.prepare(`SELECT id, location FROM seen WHERE id IN (${list})`),
          insert: db.prepare(`INSERT INTO seen VALUES ${pairs}`),
          insertNew: db.prepare(`INSERT OR IGNORE INTO seen VALUES ${pairs}`)
        }
        if (statements.size < 64) statements.set(n, found)
      }
      return found
    }
    type Claimed = { readonly externalId: string; readonly sourceKey: string; readonly where: string }
    const rowsOf = (records: ReadonlyArray<Claimed>) => {
      const values: Array<string> = []
      for (const { externalId, sourceKey, where } of records) values.push(externalIdKey(externalId), where, sourceKeyKey(sourceKey), where)
      return values
    }
    const padded = (ids: Array<string>, n: number) => {
      // The IN list has a fixed size per batch size: repeat the last id to fill it.
      while (ids.length < 2 * n) ids.push(ids[ids.length - 1]!)
      return ids
    }
    const collision = new Error("a key of this batch was seen before")
    // Most batches hold no key seen before: insert all of them, and when every row went in, that is the answer.
    const claimAllNew = db.transaction((records: ReadonlyArray<Claimed>) => {
      const inserted = statementsFor(records.length).insertNew.run(...rowsOf(records)).changes
      if (inserted !== 2 * records.length) throw collision // rolls this batch's rows back
    })
    // Otherwise the rule in order: one query for the batch's keys, then each record, then one insert.
    const claimInOrder = db.transaction((records: ReadonlyArray<Claimed>) => {
      const ids = [...new Set(records.flatMap((r) => [externalIdKey(r.externalId), sourceKeyKey(r.sourceKey)]))]
      const seen = new Map(
        (statementsFor(records.length).seen.all(...padded(ids, records.length)) as Array<{ id: string; location: string }>)
          .map((row) => [row.id, row.location])
      )
      const claimed: Array<Claimed> = []
      const verdicts = records.map((record): FirstSeen | undefined => {
        const first = seen.get(externalIdKey(record.externalId))
        if (first !== undefined) return { field: "externalId", first }
        const firstOfKey = seen.get(sourceKeyKey(record.sourceKey))
        if (firstOfKey !== undefined) return { field: "key", first: firstOfKey }
        seen.set(externalIdKey(record.externalId), record.where)
        seen.set(sourceKeyKey(record.sourceKey), record.where)
        claimed.push(record)
        return undefined
      })
      if (claimed.length > 0) statementsFor(claimed.length).insert.run(...rowsOf(claimed))
      return verdicts
    })
    const putTarget = db.prepare("INSERT OR REPLACE INTO target_case VALUES (?, ?)")
    const targetOf = db.prepare("SELECT json FROM target_case WHERE external_id = ?")
    const targets = db.prepare("SELECT COUNT(*) AS n FROM target_case")
    const everyTarget = db.prepare("SELECT external_id AS id, json FROM target_case")
    const targetStatements = new Map<number, Statement>()
    const targetsOf = (n: number) => {
      let found = targetStatements.get(n)
      if (found === undefined) {
        found = db.prepare(`SELECT external_id AS id, json FROM target_case WHERE external_id IN (${Array.from({ length: n }, () => "?").join(", ")})`)
        if (targetStatements.size < 64) targetStatements.set(n, found)
      }
      return found
    }
    return {
      file,
      claim: (records) => {
        if (records.length === 0) return []
        try {
          claimAllNew(records)
          return records.map(() => undefined)
        } catch (error) {
          if (error !== collision) throw error
        }
        return claimInOrder(records)
      },
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
      targetCount: () => (targets.get() as { n: number }).n,
      allTargets: () => {
        const found = new Map<string, TargetCase>()
        for (const row of everyTarget.all() as Array<{ id: string; json: string }>) found.set(row.id, JSON.parse(row.json) as TargetCase)
        return found
      }
    }
  }
)
