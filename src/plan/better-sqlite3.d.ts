// The few calls of better-sqlite3 (already the SQLite driver of the state store) that PlanScratch uses.
declare module "better-sqlite3" {
  export interface Statement {
    run(...params: ReadonlyArray<unknown>): { changes: number }
    get(...params: ReadonlyArray<unknown>): unknown
    all(...params: ReadonlyArray<unknown>): Array<unknown>
  }
  export interface Database {
    pragma(source: string): unknown
    exec(source: string): this
    prepare(source: string): Statement
    transaction<A extends ReadonlyArray<unknown>, R>(fn: (...args: A) => R): (...args: A) => R
    close(): void
  }
  const Database: new (filename: string) => Database
  export default Database
}
