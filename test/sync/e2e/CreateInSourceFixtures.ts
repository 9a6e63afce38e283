/** What the createInSource and cleared-field specifications of two-way sync share: the cases they make, and the states a dead cycle leaves. */
import { Context, Effect } from "effect"
import { expect } from "vitest"
import * as path from "node:path"
import type { Case } from "../../../src/domain/peach/Case.js"
import { KhorosCrm } from "../../../src/sandbox/khoros/KhorosCrm.js"
import { formatLocation } from "../../../src/sources/SourceRecord.js"
import { StateStore } from "../../../src/state/StateStore.js"
import { createKey } from "../../../src/sync/CreateInSource.js"
import type { SyncJob } from "./SyncWorkspace.js"

/** The sandbox's CRM, to change it behind casesync's back. */
export const crmOf = (job: { sandbox: { context: Context.Context<any> } }) => Context.get(job.sandbox.context, KhorosCrm)

/** A cycle that writes nothing, with every case on both sides paired. */
export const expectQuiet = (job: SyncJob, paired: number) =>
  Effect.map(job.cycle(), (quiet) => {
    expect(quiet.writes).toEqual({})
    expect(quiet.line).toMatchObject({ paired, newInCrm: 0, newInTarget: 0 })
  })

/**
 * What a cycle leaves when it dies between journalling the CRM create of `kase` (made by
 * `newTargetCase`) and sending it: the create `sent`, with the customer and title it would send.
 */
export const journalledByADeadCycle = (job: SyncJob, kase: Case) =>
  Effect.gen(function*() {
    const customerId = (yield* job.crmCase("KC-10001")).customerId as string
    yield* Effect.flatMap(StateStore, (store) =>
      store.markSideSent({
        job: "khoros-crm",
        sourceKey: createKey(kase.id),
        side: "crm",
        body: { customerId, title: "Asked for a statement by phone" },
        runId: "a-run-that-died"
      })).pipe(Effect.provide(StateStore.layerFromUrl(path.join(job.dir, "state.db"))))
    return customerId
  })

/** The CRM's cases titled as the target case `newTargetCase` makes. */
export const statementCases = (job: SyncJob) =>
  Effect.map(crmOf(job).snapshot, (s) => s.cases.filter((c) => c.title === "Asked for a statement by phone"))

/** A case a person creates in the target for borrower `personId`, with no CRM counterpart yet. */
export const createTargetCase = (job: SyncJob, personId: string, body: Record<string, unknown>) =>
  Effect.gen(function*() {
    const response = yield* Effect.promise(() =>
      fetch(`${job.sandbox.url}/people/${personId}/cases`, {
        method: "POST",
        headers: { authorization: "Bearer sandbox-token", "content-type": "application/json" },
        body: JSON.stringify(body)
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data: Case } }))
    )
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    return response.body.data
  })

/** A target case made like KC-10001's (same borrower, type and custom fields), with no CRM counterpart. */
export const newTargetCase = (job: SyncJob, name = "Asked for a statement by phone") =>
  Effect.gen(function*() {
    const model = yield* job.targetCase("KC-10001")
    return yield* createTargetCase(job, model.borrowerIds[0]!, {
      typeId: model.typeId,
      name,
      status: "initiated",
      openedAt: "2024-03-01T09:00:00Z",
      customFields: { ...model.customFields, crmNumber: "pending", crmPriority: "low" },
      metaData: { description: "Called in for a statement" }
    })
  })


/**
 * What a cycle leaves when it dies after the CRM answered the create of `kase` and the answer was
 * journalled, but before the link: the CRM case made (here by the sandbox itself), the create
 * `confirmed` with the id the answer gave (`keptId: false`: none, as the journal held before it kept it),
 * no externalId on the target case, and no ledger entry (`ledgerSent`: the link's, journalled sent).
 */
export const answeredByADeadCycle = (job: SyncJob, kase: Case, options: { readonly keptId: boolean; readonly ledgerSent?: boolean }) =>
  Effect.gen(function*() {
    const customerId = (yield* job.crmCase("KC-10001")).customerId as string
    // The body the create would have sent: the reverse of the target case's `direction: both` fields.
    const body = {
      customerId,
      title: "Asked for a statement by phone",
      status: "open",
      priority: "low",
      product: kase.customFields?.["crmProduct"],
      escalated: kase.customFields?.["crmEscalated"],
      description: "Called in for a statement"
    }
    const made = yield* crmOf(job).createCase(body)
    yield* Effect.flatMap(StateStore, (store) =>
      Effect.zipRight(
        store.markSideSent({ job: "khoros-crm", sourceKey: createKey(kase.id), side: "crm", body, runId: "a-run-that-died" }),
        Effect.zipRight(
          store.markSideConfirmed("khoros-crm", createKey(kase.id), "crm", "a-run-that-died", options.keptId ? made.id : undefined),
          // Died a step later: the ledger row of the link journalled sent, the target's externalId not yet written.
          options.ledgerSent !== true ? Effect.void : Effect.gen(function*() {
            const item = { job: "khoros-crm", sourceKey: made.id, location: formatLocation({ _tag: "khoros", customerId, caseId: made.id }) }
            yield* store.recordPlanned([{ ...item, externalId: `khoros-${made.id}`, caseId: kase.id, action: "update", runId: "a-run-that-died" }])
            yield* store.markSent(item, "a-run-that-died")
          })
        )
      )).pipe(Effect.provide(StateStore.layerFromUrl(path.join(job.dir, "state.db"))))
    return made
  })
