import * as crypto from "node:crypto"

type OneShot = (algorithm: string, data: string, encoding: "buffer") => Buffer

// One call per text where Node has it (20.12 and later; `engines` allows any 20): a Hash object per
// plan item or body costs about twice as much, and a plan hashes every item.
const oneShot = (crypto as unknown as { hash?: OneShot }).hash

/** The SHA-256 of a text (its UTF-8 bytes). */
export const sha256 = (text: string): Buffer =>
  oneShot === undefined ? crypto.createHash("sha256").update(text).digest() : oneShot("sha256", text, "buffer")
