import { it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect } from "vitest"
import { loadRunConfig } from "../../src/config/RunConfig.js"

const write = (text: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfg-"))
  const file = path.join(dir, "casesync.yaml")
  fs.writeFileSync(file, text)
  return { dir, file }
}

describe("run config", () => {
  it.effect("resolves paths against the file, takes secrets from the environment, defaults the rest", () =>
    Effect.gen(function*() {
      const { dir, file } = write(
        [
          "source:",
          "  kind: csv",
          "  path: data/cases.csv",
          "  encoding: windows-1252",
          "mapping: mappings/legacy.yaml",
          "target:",
          "  baseUrl: https://api.example.test/v1",
          "  token: ${PEACH_API_TOKEN}",
          "  requestsPerSecond: 10"
        ].join("\n")
      )
      const config = yield* loadRunConfig(file, {}, { PEACH_API_TOKEN: "t0k3n" })
      expect(config.job).toBe("casesync")
      expect(path.resolve(config.mappingFile)).toBe(path.join(dir, "mappings/legacy.yaml"))
      expect(config.source).toMatchObject({ kind: "csv", encoding: "windows-1252" })
      expect(path.resolve((config.source as { path: string }).path)).toBe(path.join(dir, "data/cases.csv"))
      expect(path.resolve(config.state)).toBe(path.join(dir, ".casesync/state.db"))
      expect(path.resolve(config.outputDir)).toBe(path.join(dir, "out/casesync"))
      expect(config.target.auth._tag === "Bearer" && Redacted.value(config.target.auth.token)).toBe("t0k3n")
      expect(config.target.requestsPerSecond).toBe(10)
    }))

  it.effect("lets command-line values win and keeps postgres URLs as they are", () =>
    Effect.gen(function*() {
      const { file } = write(
        "job: crm\nsource:\n  kind: khoros\n  baseUrl: http://127.0.0.1:1/crm\n  apiKey: k\n  customers: borrowers\nmapping: m.yaml\ntarget:\n  baseUrl: http://127.0.0.1:1\nstate: postgres://postgres@127.0.0.1:5432/test?schema=casesync\n"
      )
      const config = yield* loadRunConfig(file, { targetUrl: "http://127.0.0.1:4010" }, {})
      expect(config.target.baseUrl).toBe("http://127.0.0.1:4010")
      expect(config.state).toBe("postgres://postgres@127.0.0.1:5432/test?schema=casesync")
      expect(config.source).toMatchObject({ kind: "khoros", customers: "borrowers" })
    }))

  it.effect("reports every mistake with its line and column", () =>
    Effect.gen(function*() {
      const { file } = write(
        "source:\n  kind: csv\n  path: a.csv\n  delimiter: 42\nmapping: m.yaml\ntarget:\n  baseUrl: not a url\n  concurrency: 0\n  token: ${MISSING_TOKEN}\n"
      )
      const missing = yield* loadRunConfig(file, {}, {}).pipe(Effect.flip)
      expect(missing.message).toContain("casesync.yaml:9:10: target.token: environment variable MISSING_TOKEN is not set")
      const error = yield* loadRunConfig(file, {}, { MISSING_TOKEN: "x" }).pipe(Effect.flip)
      const where = error.issues.map((i) => `${i.line}:${i.path}`)
      expect(where).toEqual(expect.arrayContaining(["4:source.delimiter", "7:target.baseUrl", "8:target.concurrency"]))
    }))
})
