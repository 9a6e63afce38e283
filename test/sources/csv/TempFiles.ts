import { afterAll, beforeAll } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A temporary directory for the test file's CSV fixtures, removed after its tests; `write` returns the file's path. */
export const tempFiles = () => {
  let dir: string | undefined
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "casesync-csv-test-"))
  })
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })
  return {
    write: (name: string, content: string | Uint8Array): string => {
      if (dir === undefined) throw new Error("tempFiles().write called outside a test")
      const path = join(dir, name)
      writeFileSync(path, content)
      return path
    },
    path: (name: string): string => {
      if (dir === undefined) throw new Error("tempFiles().path called outside a test")
      return join(dir, name)
    }
  }
}
