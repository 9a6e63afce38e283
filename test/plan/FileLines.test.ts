import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileLines } from "../../src/plan/FileLines.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "file-lines-"))
let files = 0
const fileWith = (content: string) => {
  const file = path.join(dir, `${files++}.txt`)
  fs.writeFileSync(file, content)
  return file
}

/** What node:readline (the reader plan files were read with before) makes of a file. */
const readlineLines = async (file: string): Promise<Array<string>> => {
  const out: Array<string> = []
  for await (const line of readline.createInterface({ input: fs.createReadStream(file, "utf8"), crlfDelay: Infinity })) out.push(line)
  return out
}

const blockLines = (file: string, blockBytes?: number) =>
  Effect.runPromise(Stream.runCollect(fileLines(file, (error) => error, blockBytes)).pipe(Effect.map(Chunk.toArray)))

/** Text rich in what splitting must get right: every line end, multi-byte and astral characters. */
const text = fc.array(fc.constantFrom("\n", "\r\n", "\r", "a", "é", "€", "😀", ",", "", "{\"x\": 1}"), { maxLength: 40 })
  .map((parts) => parts.join(""))

describe("fileLines", () => {
  it("splits lines as readline does, whatever block boundaries cut through (line ends, multi-byte characters)", async () => {
    await fc.assert(fc.asyncProperty(text, fc.integer({ min: 1, max: 9 }), async (content, blockBytes) => {
      const file = fileWith(content)
      const lines = await blockLines(file, blockBytes)
      expect(lines.map((l) => l.text)).toEqual(await readlineLines(file))
      expect(lines.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1))
    }), { numRuns: 300 })
  })

  it("numbers the lines of a file many blocks long", async () => {
    const file = fileWith(Array.from({ length: 5000 }, (_, i) => `line ${i} é😀`).join("\n") + "\n")
    const lines = await blockLines(file, 1000)
    expect(lines).toHaveLength(5000)
    expect(lines[4321]).toEqual({ text: "line 4321 é😀", line: 4322 })
  })

  it("fails with the caller's error when the file cannot be read", async () => {
    const result = await Effect.runPromise(Effect.either(Stream.runDrain(fileLines(path.join(dir, "missing.txt"), (error) => `unreadable: ${String(error)}`))))
    expect(result._tag).toBe("Left")
    expect(String((result as { left: unknown }).left)).toMatch(/^unreadable: .*ENOENT/)
  })
})
