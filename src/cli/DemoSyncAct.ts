// The demo's third act: two-way sync of the CRM job after its migration.
import { Console, Effect, HashMap } from "effect"
import type { RunConfig } from "../config/RunConfig.js"
import type { Sandbox } from "../sandbox/SandboxServer.js"
import { StateStore } from "../state/StateStore.js"
import { cycleAccountingLine } from "../sync/CycleReport.js"
import { describeValue } from "../sync/FieldState.js"
import { runSyncCycle } from "../sync/SyncCycle.js"
import { loadConfiguredMapping, runLayer } from "./RunContext.js"

const demoCase = "KC-10001"

/** One agent's request, as the agent's tool would send it (plain fetch, through each system's API). */
const send = (url: string, method: string, headers: Record<string, string>, body?: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`)
    return JSON.parse(text)
  })

/**
 * After the migration: one agent edits a case in the CRM, another edits a different field of
 * it in Peach, and a third field is edited on both sides differently. Two `sync --once` cycles
 * show the merged result, the queued conflict, and that the second cycle writes nothing.
 * Fails (returns false) if the second cycle writes anything.
 */
export const syncAct = (sandbox: Sandbox, config: RunConfig) =>
  Effect.gen(function*() {
    const crmKey = { "x-api-key": "sandbox-key" }
    const peachAuth = { authorization: "Bearer sandbox-token" }
    const crmCase = () => send(`${sandbox.crmUrl}/case/${demoCase}`, "GET", crmKey)
    // The sandbox runs in this process: its state is read directly, with no request to count.
    const targetCase = () =>
      Effect.map(sandbox.state.snapshot, (store) => {
        const found = [...HashMap.values(store.cases)].find((c) => c.externalId === `khoros-${demoCase}`)
        if (found === undefined) throw new Error(`the target has no case khoros-${demoCase}`)
        return found as unknown as Record<string, any>
      })
    const cycle = (label: string) =>
      Effect.gen(function*() {
        const { compiled, source } = yield* loadConfiguredMapping(config)
        const outcome = yield* runSyncCycle({ config, compiled, source }, { dryRun: false, command: "casesync demo (sync --once)" })
        yield* Console.log(`${label}: ${cycleAccountingLine(outcome.counts)}`)
        for (const c of outcome.changes) {
          yield* Console.log(`  ${c.sourceKey} ${c.field}: ${describeValue(c.from)} → ${describeValue(c.value)} (${c.to === "target" ? "CRM → Peach" : "Peach → CRM"})`)
        }
        return outcome
      }).pipe(Effect.provide(runLayer(config)))

    yield* Console.log(`\n== sync: ${config.job} (two-way, after the migration)`)
    yield* cycle("cycle 1 (records the bases)")
    const before = yield* targetCase()
    yield* send(`${sandbox.crmUrl}/case/${demoCase}`, "PUT", crmKey, { priority: "high", product: "auto_loan" })
    yield* send(`${sandbox.url}/people/${before.borrowerIds[0]}/cases/${before.id}`, "PUT", peachAuth, {
      metaData: { ...before.metaData, description: "Agreed a three-month payment plan" },
      customFields: { ...before.customFields, crmProduct: "credit_card" }
    })
    yield* Console.log(
      `agents: in the CRM ${demoCase} priority → "high" and product → "auto_loan"; ` +
        `in Peach its description → "Agreed a three-month payment plan" and crmProduct → "credit_card"`
    )
    yield* cycle("cycle 2")
    const quiet = yield* cycle("cycle 3")
    const [crm, target] = [yield* crmCase(), yield* targetCase()]
    yield* Console.log([
      `merged: CRM priority ${describeValue(crm.priority)}, description ${describeValue(crm.description)}; ` +
      `Peach crmPriority ${describeValue(target.customFields?.crmPriority)}, description ${describeValue(target.metaData?.description)}`,
      `queued (manual policy): product — CRM ${describeValue(crm.product)}, Peach ${describeValue(target.customFields?.crmProduct)}`
    ].join("\n"))
    const conflicts = yield* Effect.flatMap(StateStore, (store) => store.listConflicts(config.job)).pipe(Effect.provide(runLayer(config)))
    for (const c of conflicts) {
      yield* Console.log(`  casesync conflicts resolve ${c.id} --take crm|target   # ${c.sourceKey} ${c.field}`)
    }
    const wrote = quiet.counts.wroteTarget + quiet.counts.wroteCrm
    yield* Console.log(`second sync cycle after the edits: ${wrote} write requests${wrote === 0 ? ": nothing echoed back" : ""}`)
    return wrote === 0
  })
