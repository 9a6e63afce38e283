import { Option } from "effect"
import { createHash, type Hash } from "node:crypto"
import type { ReadStream } from "node:fs"
import { ReadMeter } from "./csv/ReadMeter.js"

/** What a plan records of a source file's bytes once it has read them all: their SHA-256 (hex) and count. */
export interface SourceSeal {
  readonly sha256: string
  readonly size: number
}

/**
 * A read meter that also hashes the bytes it sees go by, so a plan seals the file it read
 * without reading it a second time. Each read of the file starts a new seal; it is known once
 * that read reached the end of the file.
 */
export class SealingMeter extends ReadMeter {
  private reading: { readonly hash: Hash; size: number; sealed: SourceSeal | undefined } | undefined = undefined

  override watch(file: ReadStream): void {
    super.watch(file)
    const reading = { hash: createHash("sha256"), size: 0, sealed: undefined as SourceSeal | undefined }
    this.reading = reading
    // A second listener beside the pipe's: it sees the same chunks, and pauses when the pipe pauses the file.
    file.on("data", (chunk: Buffer | string) => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk
      reading.hash.update(bytes)
      reading.size += bytes.length
    })
    file.once("end", () => {
      reading.sealed = { sha256: reading.hash.digest("hex"), size: reading.size }
    })
  }

  /** The seal of the latest read, once it has read the whole file. */
  get seal(): Option.Option<SourceSeal> {
    return Option.fromNullable(this.reading?.sealed)
  }
}
