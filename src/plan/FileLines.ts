import { Stream } from "effect"
import * as fs from "node:fs"

/** One line of a text file, without its line end, numbered from 1. */
export interface FileLine {
  readonly text: string
  readonly line: number
}

/** Default read size: large enough that a plan of a million lines takes a few thousand reads. */
const defaultBlockBytes = 256 * 1024

// Line ends as node:readline reads them: \n, \r\n and a lone \r.
const lineEnd = /\r\n|\r|\n/

/** Splits a file's text into lines a block at a time; a line (or a \r) cut by a block's end waits for the next. */
async function* blocksOfLines(file: string, blockBytes: number): AsyncGenerator<ReadonlyArray<string>> {
  let carry = ""
  for await (const block of fs.createReadStream(file, { encoding: "utf8", highWaterMark: blockBytes })) {
    const text = carry + (block as string)
    // A \r at the very end may be the first half of a \r\n: keep it until the next block says.
    const cut = text.endsWith("\r") ? text.length - 1 : text.length
    const lines = text.slice(0, cut).split(lineEnd)
    carry = lines.pop()! + text.slice(cut)
    if (lines.length > 0) yield lines
  }
  // The last line: one ended by a lone \r counts even when empty; an unended one only when it has text.
  if (carry.endsWith("\r")) yield [carry.slice(0, -1)]
  else if (carry !== "") yield [carry]
}

/**
 * The lines of a text file, read in blocks: one asynchronous step per block rather than per
 * line (node:readline's async iterator costs one per line, which dominated reading a plan).
 * Reading stops, and the file is closed, when the stream is no longer pulled.
 */
export const fileLines = <E>(
  file: string,
  onError: (error: unknown) => E,
  blockBytes: number = defaultBlockBytes
): Stream.Stream<FileLine, E> =>
  Stream.suspend(() =>
    Stream.fromAsyncIterable(blocksOfLines(file, blockBytes), onError).pipe(
      Stream.mapConcat((lines) => lines),
      Stream.zipWithIndex,
      Stream.map(([text, index]) => ({ text, line: index + 1 }))
    )
  )
