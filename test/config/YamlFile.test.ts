import { it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { describe, expect } from "vitest"
import { decodeYaml, parseYaml, substituteEnvironment } from "../../src/config/YamlFile.js"

const Target = Schema.Struct({
  target: Schema.Struct({ baseUrl: Schema.String, concurrency: Schema.optional(Schema.Int) })
})

describe("YAML files", () => {
  it.effect("reports a syntax error with its line and column", () =>
    Effect.gen(function*() {
      const error = yield* parseYaml("casesync.yaml", "job: a\ntarget: [unclosed\n").pipe(Effect.flip)
      expect(error.issues[0]!.line).toBeGreaterThanOrEqual(2)
      expect(error.message).toMatch(/^casesync\.yaml:\d+:\d+: /)
    }))

  it.effect("reports a schema issue at the value's position, with its path", () =>
    Effect.gen(function*() {
      const yaml = yield* parseYaml("c.yaml", "target:\n  baseUrl: http://x\n  concurrency: many\n")
      const error = yield* decodeYaml(Target, yaml).pipe(Effect.flip)
      expect(error.issues).toEqual([expect.objectContaining({ line: 3, column: 16, path: "target.concurrency" })])
    }))

  it.effect("refuses unknown keys where they stand", () =>
    Effect.gen(function*() {
      const yaml = yield* parseYaml("c.yaml", "target:\n  baseUrl: http://x\n  baseURL: oops\n")
      const error = yield* decodeYaml(Target, yaml).pipe(Effect.flip)
      expect(error.issues[0]).toMatchObject({ line: 3, path: "target.baseURL" })
    }))

  it.effect("takes secrets from the environment and names a missing variable", () =>
    Effect.gen(function*() {
      const yaml = yield* parseYaml("c.yaml", "target:\n  baseUrl: ${URL:-http://fallback}\n  token: Bearer ${TOKEN}\n")
      const filled = yield* substituteEnvironment(yaml, { TOKEN: "s3cret" })
      expect(filled.value).toEqual({ target: { baseUrl: "http://fallback", token: "Bearer s3cret" } })
      const error = yield* substituteEnvironment(yaml, {}).pipe(Effect.flip)
      expect(error.issues).toEqual([
        { line: 3, column: 10, path: "target.token", message: "environment variable TOKEN is not set" }
      ])
    }))
})
