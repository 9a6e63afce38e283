import { Option } from "effect"
import { createHash, type Hash } from "node:crypto"
import type { ReadStream } from "node:fs"
import { ReadMeter } from "./csv/ReadMeter.js"

/** What a plan records of a source file's bytes once it has read them all: their SHA-256 (hex) and count. */
export interface SourceSeal {
  readonly sha256: string
  readonly size: number
}

/** Hashes and counts a file's bytes as they go by, chunk after chunk; `seal` once they all have. */
export const makeSealer = () => {
  const hash: Hash = createHash("sha256")
  let size = 0
  return {
    add: (chunk: Buffer | string): void => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk
      hash.update(bytes)
      size += bytes.length
    },
    seal: (): SourceSeal => ({ sha256: hash.digest("hex"), size })
  }
}

/**
 * A read meter that also hashes the bytes it sees go by, so a plan seals the file it read
 * without reading it a second time. Each read of the file starts a new seal; it is known once
 * that read reached the end of the file.
 */
export class SealingMeter extends ReadMeter {
  private reading: { sealed: SourceSeal | undefined } | undefined = undefined

  override watch(file: ReadStream): void {
    super.watch(file)
    const sealer = makeSealer()
    const reading = { sealed: undefined as SourceSeal | undefined }
    this.reading = reading
    // A second listener beside the pipe's: it sees the same chunks, and pauses when the pipe pauses the file.
    file.on("data", sealer.add)
    file.once("end", () => {
      reading.sealed = sealer.seal()
    })
  }

  /** The seal of the latest read, once it has read the whole file. */
  get seal(): Option.Option<SourceSeal> {
    return Option.fromNullable(this.reading?.sealed)
  }
}
