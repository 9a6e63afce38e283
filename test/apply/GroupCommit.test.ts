import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either, Fiber } from "effect"
import { makeGroupCommit } from "../../src/apply/GroupCommit.js"

/** Lets every forked fiber run up to where it waits. */
const settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("makeGroupCommit", () => {
  it.scoped("commits what was submitted during a commit as one group; each caller returns only once its own value is committed", () =>
    Effect.gen(function*() {
      const groups: Array<ReadonlyArray<number>> = []
      const gate = yield* Deferred.make<void>()
      const commits = yield* makeGroupCommit((group: ReadonlyArray<number>) =>
        Effect.gen(function*() {
          // The first commit is held open: what arrives meanwhile waits for the next one.
          if (groups.length === 0) yield* Deferred.await(gate)
          groups.push(group)
        })
      )
      const first = yield* Effect.fork(commits.submit(1))
      yield* Effect.yieldNow()
      const rest = yield* Effect.fork(Effect.forEach([2, 3, 4], commits.submit, { concurrency: "unbounded" }))
      yield* settle
      expect(first.unsafePoll()).toBeNull()
      expect(rest.unsafePoll()).toBeNull()
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(first)
      yield* Fiber.join(rest)
      expect(groups).toEqual([[1], [2, 3, 4]])
    }))

  it.scoped("a failed commit fails every caller of that group, and the next group still commits", () =>
    Effect.gen(function*() {
      const committed: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const commits = yield* makeGroupCommit((group: ReadonlyArray<string>) =>
        group.includes("bad")
          ? Effect.fail("refused" as const)
          : Effect.zipRight(group.includes("held") ? Deferred.await(gate) : Effect.void, Effect.sync(() => committed.push(...group)))
      )
      const held = yield* Effect.fork(commits.submit("held"))
      yield* settle
      const failed = yield* Effect.fork(Effect.forEach(["ok-1", "bad"], (v) => Effect.either(commits.submit(v)), { concurrency: "unbounded" }))
      yield* settle
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(held)
      expect((yield* Fiber.join(failed)).map(Either.isLeft)).toEqual([true, true])
      yield* commits.submit("ok-2")
      expect(committed).toEqual(["held", "ok-2"])
    }))
})
