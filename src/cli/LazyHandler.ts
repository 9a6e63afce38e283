import { Effect } from "effect"

/**
 * Runs a command's handler from a module imported only when that command is chosen, so
 * that `casesync --help` (and every other command) starts without loading it.
 */
export const lazily = <M, A, E, R>(
  load: () => Promise<M>,
  handle: (module: M) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.flatMap(Effect.promise(load), handle)
