import type { ReadStream } from "node:fs"

/**
 * How many bytes of a CSV file reading has got through (of the file on disk: compressed
 * bytes for a `.gz`), so a plan's progress can show a share of the file's size and an ETA.
 * Each read of the file restarts it.
 */
export class ReadMeter {
  private file: ReadStream | undefined = undefined

  /** Follows `file`, the stream the CSV is read from. */
  watch(file: ReadStream): void {
    this.file = file
  }

  /** Bytes read from the file so far. */
  get bytesRead(): number {
    return this.file?.bytesRead ?? 0
  }
}
