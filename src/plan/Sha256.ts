import * as crypto from "node:crypto"

type OneShot = (algorithm: string, data: string, encoding: "hex" | "binary" | "base64url") => string

// One call per text where Node has it (20.12 and later; `engines` allows any 20): a Hash object per
// plan item or body costs about twice as much, and a plan hashes every item. The digest comes back
// as text, never as a Buffer: making a Buffer per call costs more than the hashing.
const oneShot = (crypto as unknown as { hash?: OneShot }).hash

const digest = (text: string, encoding: "hex" | "binary" | "base64url"): string =>
  oneShot === undefined ? crypto.createHash("sha256").update(text).digest(encoding) : oneShot("sha256", text, encoding)

/** The SHA-256 of a text (its UTF-8 bytes), as hex. */
export const sha256Hex = (text: string): string => digest(text, "hex")

/** The SHA-256 of a text as 32 characters, one per byte (char code 0–255): bytes to read without a Buffer. */
export const sha256Bytes = (text: string): string => digest(text, "binary")

const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/**
 * The first 16 bytes of a text's SHA-256, base64url (22 characters): the first 21 characters of the
 * whole digest's base64url hold 126 of its bits, and the 22nd keeps the two bits left (the rest zero).
 */
export const sha256Base64url16 = (text: string): string => {
  const whole = digest(text, "base64url")
  return whole.slice(0, 21) + base64url[base64url.indexOf(whole[21]!) & 0b110000]!
}
