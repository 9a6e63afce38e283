import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { addCase, canonicalCase, checksumOf, emptyChecksum, formatChecksum } from "../../src/reconcile/Checksum.js"

// What a side of a reconciliation holds: cases with distinct externalIds and owned values.
const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ min: new Date("2000-01-01"), max: new Date("2030-01-01"), noInvalidDate: true }).map((d) => d.toISOString())
)
const values = fc.dictionary(fc.constantFrom("name", "status", "openedAt", "customFields.code", "metaData.branch"), value)
const cases = fc.uniqueArray(fc.record({ externalId: fc.string({ minLength: 1 }), values }), {
  selector: (c) => c.externalId,
  minLength: 1,
  maxLength: 30
})

describe("checksum of a side's owned values", () => {
  it("does not depend on the order of the cases", () => {
    fc.assert(fc.property(cases, fc.nat(), (all, seed) => {
      const shuffled = fc.sample(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), { numRuns: 1, seed })[0]!
      expect(formatChecksum(checksumOf(shuffled))).toBe(formatChecksum(checksumOf(all)))
    }))
  })

  it("changes when one owned value of one case changes", () => {
    fc.assert(fc.property(cases, fc.nat(), fc.string(), (all, pick, replacement) => {
      const index = pick % all.length
      const changed = all.map((c, i) => (i === index ? { ...c, values: { ...c.values, name: `${replacement}!${String(c.values["name"])}` } } : c))
      expect(formatChecksum(checksumOf(changed))).not.toBe(formatChecksum(checksumOf(all)))
    }))
  })

  it("changes when a case goes missing, and counts the cases", () => {
    fc.assert(fc.property(cases, (all) => {
      expect(checksumOf(all.slice(1)).sum).not.toBe(checksumOf(all).sum)
      expect(checksumOf(all).count).toBe(all.length)
    }))
  })

  it("keeps two identical entries apart (a sum, not an XOR, where they would cancel)", () => {
    const one = addCase(emptyChecksum, "legacy-1", { status: "initiated" })
    const twice = addCase(one, "legacy-1", { status: "initiated" })
    expect(twice.sum).not.toBe(0n)
    expect(twice.sum).not.toBe(one.sum)
  })

  it("hashes what sameValue treats as equal alike: an instant in any offset, absent and null, key order", () => {
    expect(canonicalCase("x", { openedAt: "2024-03-10T01:30:00-05:00", status: null }))
      .toBe(canonicalCase("x", { openedAt: "2024-03-10T06:30:00.000Z" }))
    expect(canonicalCase("x", { b: 1, a: { z: 1, y: 2 } })).toBe(canonicalCase("x", { a: { y: 2, z: 1 }, b: 1 }))
    expect(canonicalCase("x", { status: "a" })).not.toBe(canonicalCase("y", { status: "a" }))
  })

  it("is defined as SHA-256 of [externalId, sorted [field, value] pairs], summed modulo 2^256", () => {
    // The README's definition, checked on one case so another team can recompute it by hand.
    expect(canonicalCase("legacy-7", { status: "initiated", name: "A" })).toBe('["legacy-7",[["name","A"],["status","initiated"]]]')
    expect(formatChecksum(addCase(emptyChecksum, "legacy-7", { status: "initiated", name: "A" })))
      .toBe("1:55448fcf8ed73856e8d64e393417d2c64920d740f9d179998554d24592a9499f")
  })
})
