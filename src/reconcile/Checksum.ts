import { offsetDateTime } from "../plan/FieldValues.js"
import type { OwnedValues } from "../plan/Plan.js"
import { sha256Hex } from "../plan/Sha256.js"

const modulus = 1n << 256n

/**
 * A value in the one form both sides write it in: a date-time as its UTC instant
 * (`…-04:00` and `…Z` of the same instant hash alike, as `sameValue` compares them), object
 * keys sorted, absent as null. So equal checksums mean what "no drift" means.
 */
export const canonicalValue = (value: unknown): unknown => {
  if (value === undefined || value === null) return null
  if (typeof value === "string" && offsetDateTime.test(value)) {
    const instant = Date.parse(value)
    return Number.isNaN(instant) ? value : new Date(instant).toISOString()
  }
  if (Array.isArray(value)) return value.map(canonicalValue)
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((key) => [key, canonicalValue((value as Record<string, unknown>)[key])])
    )
  }
  return value
}

/**
 * The text one case is hashed from: `[externalId, [[field, value], …]]` as JSON, the owned
 * fields sorted by name, each value canonical, and fields whose value is null left out
 * (absent and null are the same value on both sides).
 */
export const canonicalCase = (externalId: string, values: OwnedValues): string =>
  JSON.stringify([
    externalId,
    Object.keys(values)
      .sort()
      .flatMap((field) => {
        const value = canonicalValue(values[field])
        return value === null ? [] : [[field, value]]
      })
  ])

/** SHA-256 of the canonical case, as a 256-bit number. */
export const caseHash = (externalId: string, values: OwnedValues): bigint =>
  BigInt(`0x${sha256Hex(canonicalCase(externalId, values))}`)

/**
 * An order-independent checksum of a set of cases: the number of cases and the sum of their
 * case hashes modulo 2^256. A sum, not an XOR: two identical entries (one externalId on two
 * cases with the same values) would cancel out under XOR and leave the checksum of neither.
 * It folds as it goes, so no case needs to be kept.
 */
export interface Checksum {
  readonly count: number
  readonly sum: bigint
}

/** The checksum of no case. */
export const emptyChecksum: Checksum = { count: 0, sum: 0n }

/** Adds one case to a checksum. */
export const addCase = (checksum: Checksum, externalId: string, values: OwnedValues): Checksum => ({
  count: checksum.count + 1,
  sum: (checksum.sum + caseHash(externalId, values)) % modulus
})

/** The checksum of a whole collection of cases, in any order. */
export const checksumOf = (cases: Iterable<{ readonly externalId: string; readonly values: OwnedValues }>): Checksum => {
  let checksum = emptyChecksum
  for (const kase of cases) checksum = addCase(checksum, kase.externalId, kase.values)
  return checksum
}

/** The printed form: `<count>:<64 hex digits>`, what two teams compare. */
export const formatChecksum = (checksum: Checksum): string =>
  `${checksum.count}:${checksum.sum.toString(16).padStart(64, "0")}`
