import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Schema, Stream } from "effect"
import { type SourceItem, SourceLocation } from "../../src/sources/SourceRecord.js"

/** One input to hold a source to the contract: the stream reading it, and how many items of each kind it holds. */
export interface SourceContractInput {
  /** Reading the input; the suite runs it several times, so it must be re-runnable as it stands. */
  readonly read: Stream.Stream<SourceItem, unknown>
  /** What the input holds, so the suite cannot pass on a source that yields nothing. */
  readonly expected: { readonly records: number; readonly unreadable: number }
}

const isLocation = Schema.is(SourceLocation)

const collect = (read: Stream.Stream<SourceItem, unknown>) => Effect.map(Stream.runCollect(read), Chunk.toReadonlyArray)

/**
 * The contract every source (CSV, Khoros, …) meets, as a vitest suite: every item is a
 * record or an unreadable piece with a valid location, and reading the same input twice
 * yields identical items with keys in the same order, so plans computed from it are stable.
 */
export const sourceContract = (name: string, input: SourceContractInput): void => {
  describe(`source contract: ${name}`, () => {
    it.effect("yields only records and unreadable items, each with a valid location", () =>
      Effect.gen(function*() {
        const items = yield* collect(input.read)
        for (const item of items) {
          expect(["Record", "Unreadable"]).toContain(item._tag)
          expect(isLocation(item.location), `location of ${JSON.stringify(item)}`).toBe(true)
          if (item._tag === "Record") {
            expect(typeof item.data).toBe("object")
            expect(item.data).not.toBeNull()
            expect(Array.isArray(item.data)).toBe(false)
          } else {
            expect(item.reason.trim()).not.toBe("")
            expect(typeof item.raw).toBe("string")
          }
        }
        expect({
          records: items.filter((item) => item._tag === "Record").length,
          unreadable: items.filter((item) => item._tag === "Unreadable").length
        }).toEqual(input.expected)
      }))

    it.effect("reading twice yields identical items", () =>
      Effect.gen(function*() {
        const first = yield* collect(input.read)
        const second = yield* collect(input.read)
        expect(second).toEqual(first)
      }))

    it.effect("keys are stable across two reads, in the same order", () =>
      Effect.gen(function*() {
        const keys = (items: ReadonlyArray<SourceItem>) =>
          items.map((item) => ({
            item: Object.keys(item),
            location: Object.keys(item.location),
            data: item._tag === "Record" ? Object.keys(item.data) : []
          }))
        const first = keys(yield* collect(input.read))
        const second = keys(yield* collect(input.read))
        expect(second).toEqual(first)
      }))

    it.effect("a consumer can stop after the first item and gets the same first item", () =>
      Effect.gen(function*() {
        const all = yield* collect(input.read)
        const head = yield* collect(Stream.take(input.read, 1))
        expect(head).toEqual(all.slice(0, 1))
      }))
  })
}
