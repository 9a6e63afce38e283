import { type Duration, Effect } from "effect"
import * as os from "node:os"
import type { LeaseHolder } from "./StateStoreError.js"
import { processAlive } from "./LocalProcess.js"
import type { StateStoreService } from "./StateStore.js"

/**
 * The lease every writer of a job takes (apply, migrate, a sync cycle, a person's answer to
 * one): at most one of them changes the job's state at a time.
 */
export const jobLeaseName = (job: string): string => `apply:${job}`

/**
 * Takes the job's lease for the life of the scope. A run killed on this machine leaves its
 * lease until it expires; its pid says it is gone, so the lease is taken over at once instead
 * of making the user wait out the expiry. Fails with `LeaseHeld` while a live run holds it.
 */
export const takeJobLease = (
  store: StateStoreService,
  options: { readonly job: string; readonly holder: LeaseHolder; readonly ttl: Duration.DurationInput }
) => {
  const lease = { name: jobLeaseName(options.job), holder: options.holder, ttl: options.ttl }
  return store.withLease(lease).pipe(
    Effect.catchTag("LeaseHeld", (held) =>
      held.holder.host === os.hostname() && !processAlive(held.holder.pid)
        ? store.releaseLease({ name: held.name, runId: held.holder.runId }).pipe(Effect.zipRight(store.withLease(lease)))
        : Effect.fail(held)
    )
  )
}
