import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as crypto from "node:crypto"
import { sha256Base64url16, sha256Bytes, sha256Hex } from "../../src/plan/Sha256.js"

// The definitions, through Node's Hash object and a Buffer: what the text-only forms must give.
const digest = (text: string) => crypto.createHash("sha256").update(text).digest()
const anyText = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary", maxLength: 500 }))

describe("SHA-256 as text", () => {
  it("hex is the digest's bytes in hex", () => {
    fc.assert(fc.property(anyText, (text) => {
      expect(sha256Hex(text)).toBe(digest(text).toString("hex"))
    }))
  })

  it("bytes are the digest's 32 bytes, one character each", () => {
    fc.assert(fc.property(anyText, (text) => {
      const bytes = sha256Bytes(text)
      expect(bytes).toHaveLength(32)
      expect(Array.from(bytes, (c) => c.charCodeAt(0))).toEqual([...digest(text)])
    }))
  })

  it("the 16-byte base64url form is the first 16 bytes of the digest in base64url", () => {
    fc.assert(fc.property(anyText, (text) => {
      expect(sha256Base64url16(text)).toBe(digest(text).subarray(0, 16).toString("base64url"))
    }), { numRuns: 2_000 })
  })
})
