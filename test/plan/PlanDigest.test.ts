import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as crypto from "node:crypto"
import { planDigester } from "../../src/plan/PlanDigest.js"

const sha256Hex = (text: string) => crypto.createHash("sha256").update(text).digest("hex")

// The definition, written out the slow way: the ordered digest hashes the lines in order, the
// unordered one is the sum of the lines' SHA-256 as 256-bit numbers, mod 2^256.
const reference = (items: ReadonlyArray<string>, header: string, counts: string) => {
  const ordered = `sha256:${sha256Hex(items.map((item) => `${item}\n`).join(""))}`
  const sum = items.reduce((total, item) => total + BigInt(`0x${sha256Hex(item)}`), 0n) % (1n << 256n)
  const unordered = `sha256-sum:${sum.toString(16).padStart(64, "0")}`
  return {
    items: items.length,
    ordered,
    unordered,
    plan: `sha256:${sha256Hex([header, counts, String(items.length), ordered, unordered].join("\n"))}`
  }
}

const digestOf = (items: ReadonlyArray<string>, foldEvery?: number) => {
  const digester = planDigester(foldEvery)
  for (const item of items) digester.add(item)
  return digester.finish("{\"header\":1}", "{\"create\":2}")
}

describe("planDigester", () => {
  it("gives the ordered, unordered and whole-plan digests their definition gives, however often it folds its sum", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (items, foldEvery) => {
        const expected = reference(items, "{\"header\":1}", "{\"create\":2}")
        expect(digestOf(items)).toEqual(expected)
        expect(digestOf(items, foldEvery)).toEqual(expected)
      })
    )
  })

  it("tells a reordering (same unordered digest) from an edit (a different one)", () => {
    const items = ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]
    const reordered = digestOf([items[2]!, items[0]!, items[1]!])
    expect(reordered.unordered).toBe(digestOf(items).unordered)
    expect(reordered.ordered).not.toBe(digestOf(items).ordered)
    expect(digestOf([...items.slice(0, 2), "{\"c\":4}"]).unordered).not.toBe(digestOf(items).unordered)
  })
})
