import { Option, Schema } from "effect"
import * as crypto from "node:crypto"
import { sha256Bytes, sha256Hex } from "./Sha256.js"

/**
 * What a plan file records about its own content when it is written, so apply can refuse a
 * plan that is not the one reviewed: how many items, a digest of the items in order, one that
 * ignores their order (it tells a reordering from an edit), and one over everything (header,
 * counts and the item digests) that catches an edited header or counts line.
 */
export const PlanDigest = Schema.Struct({
  items: Schema.Int,
  ordered: Schema.String,
  unordered: Schema.String,
  plan: Schema.String
})
export type PlanDigest = typeof PlanDigest.Type

/** Accumulates the digest of a plan file's items, line by line, in flat memory. */
export interface PlanDigester {
  /** Adds one item, as the exact JSON text of its line (without the separating comma). */
  readonly add: (itemText: string) => void
  /** The digest, given the exact JSON texts of the header and of the counts. */
  readonly finish: (headerText: string, countsText: string) => PlanDigest
}

const modulus = 1n << 256n

/** A fresh digester. `foldEvery` (items between folds of the sum's lanes, at most 2^21) is there for tests. */
export const planDigester = (foldEvery = 1 << 20): PlanDigester => {
  const ordered = crypto.createHash("sha256")
  let sum = 0n
  let items = 0
  // The unordered sum, kept as eight 32-bit lanes in doubles (exact below 2^53, so folded into the
  // BigInt every 2^20 items) instead of one BigInt parsed from hex per item: the same sum, cheaper.
  const lanes = new Float64Array(8)
  let unfolded = 0
  let pending = ""
  const flush = () => {
    ordered.update(pending)
    pending = ""
  }
  const fold = () => {
    for (let k = 0; k < 8; k++) {
      sum += BigInt(lanes[k]!) << BigInt(32 * (7 - k))
      lanes[k] = 0
    }
    unfolded = 0
  }
  return {
    add: (itemText) => {
      // Items are single-line JSON, so the newline makes each one's boundary unambiguous. Hashed in
      // runs of lines (the same bytes in the same order: the same digest), not one call per item.
      pending += `${itemText}\n`
      if (pending.length >= 1 << 16) flush()
      // Reduced once at the end: the same sum mod 2^256, without a division per item.
      const digest = sha256Bytes(itemText)
      for (let k = 0; k < 8; k++) {
        const at = 4 * k
        lanes[k] += ((digest.charCodeAt(at) << 24) | (digest.charCodeAt(at + 1) << 16) | (digest.charCodeAt(at + 2) << 8) |
          digest.charCodeAt(at + 3)) >>> 0
      }
      if (++unfolded === foldEvery) fold()
      items++
    },
    finish: (headerText, countsText) => {
      flush()
      fold()
      const orderedHex = `sha256:${ordered.digest("hex")}`
      const unorderedHex = `sha256-sum:${(sum % modulus).toString(16).padStart(64, "0")}`
      return {
        items,
        ordered: orderedHex,
        unordered: unorderedHex,
        plan: `sha256:${sha256Hex([headerText, countsText, String(items), orderedHex, unorderedHex].join("\n"))}`
      }
    }
  }
}

/** What differs between the digest a plan file records and the one its content gives, in words; none if they agree. */
export const digestProblem = (recorded: PlanDigest, found: PlanDigest): Option.Option<string> => {
  if (found.items !== recorded.items) {
    return Option.some(`it holds ${found.items} items but was written with ${recorded.items}: items were cut or added`)
  }
  if (found.unordered !== recorded.unordered) return Option.some("an item was edited since the plan was written")
  if (found.ordered !== recorded.ordered) return Option.some("its items were reordered since the plan was written")
  if (found.plan !== recorded.plan) return Option.some("its header or counts line was edited since the plan was written")
  return Option.none()
}
