// A migrated Khoros job against a live sandbox, and the edits an agent makes on either side,
// for the sync scenario tests. Edits go through each system's own API with plain fetch.
import { Effect } from "effect"
import * as fs from "node:fs"
import { expect } from "vitest"
import type { Case } from "../../../src/domain/peach/Case.js"
import { type Sandbox, startSandbox } from "../../../src/sandbox/SandboxServer.js"
import type { RequestStats } from "../../../src/sandbox/SandboxStats.js"
import { runCli } from "../../apply/e2e/CliInProcess.js"
import type { CliResult } from "../../apply/e2e/CliProcess.js"
import { requestsBetween, viewTarget, writeRequests } from "../../apply/e2e/TargetCheck.js"
import { makeTempDir, writeKhorosConfig } from "../../apply/e2e/Workspace.js"

/** The counts of a cycle's accounting line, read back from what the command printed. */
export interface CycleLine {
  readonly readCrm: number
  readonly readTarget: number
  readonly paired: number
  readonly newInCrm: number
  readonly newInTarget: number
  readonly gone: number
  readonly rejected: number
  readonly wroteTarget: number
  readonly wroteCrm: number
  readonly conflictFields: number
  readonly conflictRecords: number
  readonly newConflicts: number
  readonly unchanged: number
}

const linePattern =
  /read crm (\d+), target (\d+); paired (\d+), new in crm (\d+), new in target (\d+), gone (\d+), rejected (\d+); wrote target (\d+), crm (\d+); conflicts (\d+) fields in (\d+) records \(new (\d+)\); unchanged (\d+)/

export const cycleLine = (stdout: string): CycleLine => {
  const m = linePattern.exec(stdout)
  if (m === null) throw new Error(`no cycle accounting line in:\n${stdout}`)
  const n = m.slice(1).map(Number)
  return {
    readCrm: n[0]!, readTarget: n[1]!, paired: n[2]!, newInCrm: n[3]!, newInTarget: n[4]!, gone: n[5]!, rejected: n[6]!,
    wroteTarget: n[7]!, wroteCrm: n[8]!, conflictFields: n[9]!, conflictRecords: n[10]!, newConflicts: n[11]!, unchanged: n[12]!
  }
}

/** The requests a cycle says it sent to each side, read back from its cost line. */
export interface CycleCostLine {
  readonly crm: { readonly reads: number; readonly writes: number }
  readonly target: { readonly reads: number; readonly writes: number }
}

const costPattern = /requests crm (\d+) reads \+ (\d+) writes, target (\d+) reads \+ (\d+) writes; wall (\d+\.\d+) s/

export const cycleCost = (stdout: string): CycleCostLine => {
  const m = costPattern.exec(stdout)
  if (m === null) throw new Error(`no cycle cost line in:\n${stdout}`)
  const [crmReads, crmWrites, targetReads, targetWrites] = m.slice(1, 5).map(Number)
  return { crm: { reads: crmReads!, writes: crmWrites! }, target: { reads: targetReads!, writes: targetWrites! } }
}

export interface SyncJob {
  readonly sandbox: Sandbox
  readonly config: string
  readonly dir: string
  /** `casesync sync --once`, with its accounting line and the write requests it made to either system. */
  readonly cycle: (...extra: ReadonlyArray<string>) => Effect.Effect<{
    result: CliResult
    line: CycleLine
    writes: Record<string, number>
    /** Every request the sandbox counted during the cycle, by endpoint. */
    requests: Record<string, number>
  }>
  readonly cli: (...args: ReadonlyArray<string>) => Effect.Effect<CliResult>
  readonly crmCase: (id: string) => Effect.Effect<Record<string, any>>
  readonly crmEdit: (id: string, body: Record<string, unknown>) => Effect.Effect<Record<string, any>>
  readonly targetCase: (crmId: string) => Effect.Effect<Case>
  readonly targetEdit: (crmId: string, body: Record<string, unknown>) => Effect.Effect<Case>
}

const json = async (response: Response) => {
  const text = await response.text()
  if (!response.ok) throw new Error(`${response.status} ${text}`)
  return JSON.parse(text)
}

/**
 * Starts a sandbox, migrates the Khoros sample into it with `syncYaml` as the config's `sync:`
 * section, and runs the first sync cycle, which only records the bases (0 writes), unless told not to.
 */
export const migratedJob = (syncYaml: ReadonlyArray<string> = [], options: { readonly firstCycle?: boolean } = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* startSandbox()
    const dir = yield* makeTempDir("sync")
    const config = writeKhorosConfig({ dir, targetUrl: sandbox.url, crmUrl: sandbox.crmUrl })
    if (syncYaml.length > 0) fs.appendFileSync(config, ["sync:", ...syncYaml.map((line) => `  ${line}`), ""].join("\n"))
    const migrated = yield* runCli(["migrate", "--config", config])
    expect(migrated.exitCode, migrated.stderr).toBe(3)
    const stats = (): Effect.Effect<RequestStats> => sandbox.stats.snapshot
    const cli = (...args: ReadonlyArray<string>) => runCli([...args, "--config", config])
    const cycle = (...extra: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const before = yield* stats()
        const result = yield* cli("sync", "--once", ...extra)
        expect(result.stderr).toBe("")
        const after = yield* stats()
        const requests = requestsBetween(before, after)
        return { result, line: cycleLine(result.stdout), writes: writeRequests(requests), requests }
      })
    const crmCase = (id: string) =>
      Effect.promise(() => fetch(`${sandbox.crmUrl}/case/${id}`, { headers: { "x-api-key": "sandbox-key" } }).then(json))
    const crmEdit = (id: string, body: Record<string, unknown>) =>
      Effect.promise(() =>
        fetch(`${sandbox.crmUrl}/case/${id}`, {
          method: "PUT",
          headers: { "x-api-key": "sandbox-key", "content-type": "application/json" },
          body: JSON.stringify(body)
        }).then(json)
      )
    const targetCase = (crmId: string) =>
      Effect.map(viewTarget(sandbox), (view) => {
        const found = view.cases.find((kase) => kase.externalId === `khoros-${crmId}`)
        if (found === undefined) throw new Error(`no target case for ${crmId}`)
        return found
      })
    const targetEdit = (crmId: string, body: Record<string, unknown>) =>
      Effect.flatMap(targetCase(crmId), (kase) =>
        Effect.promise(() =>
          fetch(`${sandbox.url}/people/${kase.borrowerIds[0]}/cases/${kase.id}`, {
            method: "PUT",
            headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
            body: JSON.stringify(body)
          }).then(json).then((answer) => answer.data as Case)
        ))
    const job: SyncJob = { sandbox, config, dir, cycle, cli, crmCase, crmEdit, targetCase, targetEdit }
    if (options.firstCycle === false) return job
    const first = yield* cycle()
    expect(first.result.exitCode, first.result.stdout).toBe(3) // the 2 CRM cases the mapping rejects
    expect(first.writes).toEqual({})
    return job
  })
