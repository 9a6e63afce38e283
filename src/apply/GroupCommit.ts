import { Chunk, Deferred, Effect, Exit, Queue, type Scope } from "effect"

/** Writes submitted one by one, committed together: each caller waits until its own write is durable. */
export interface GroupCommit<A, E> {
  readonly submit: (value: A) => Effect.Effect<void, E>
}

/**
 * A group commit: one fiber takes whatever was submitted while the previous commit ran (up to
 * `maxGroup`) and writes it with one `flush`, then answers each caller with that outcome. A caller
 * returns only once its value is committed, so "the `sent` row is durable before the request
 * leaves" holds for every item, while a window of writes shares one transaction. The fiber lives
 * as long as the scope.
 */
export const makeGroupCommit = <A, E>(
  flush: (group: ReadonlyArray<A>) => Effect.Effect<void, E>,
  maxGroup = 500
): Effect.Effect<GroupCommit<A, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<readonly [A, Deferred.Deferred<void, E>]>()
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      const group = Chunk.toReadonlyArray(yield* Queue.takeBetween(queue, 1, maxGroup))
      const outcome = yield* Effect.exit(flush(group.map(([value]) => value)))
      for (const [, done] of group) yield* Deferred.done(done, Exit.asVoid(outcome))
    })))
    return {
      submit: (value: A) =>
        Effect.flatMap(Deferred.make<void, E>(), (done) => Effect.zipRight(Queue.offer(queue, [value, done] as const), Deferred.await(done)))
    }
  })
