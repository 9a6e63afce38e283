import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer, Redacted, Schema } from "effect"
import nock from "nock"
import { makePeachClientConfig, PeachClient, PeachClientConfig, peachClientConfigFromEnv } from "../../src/target/index.js"
import { personJson } from "../domain/PeachSamples.js"
import { apiOrigin, useNock } from "../http/NockTestKit.js"
import { item, peachRoot } from "./PeachTestKit.js"

useNock()

const fromEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(peachClientConfigFromEnv, ConfigProvider.fromMap(new Map(Object.entries(env))))

describe("PeachClientConfig", () => {
  it("decodes a run-config block with defaults for what it leaves out", () => {
    const config = Schema.decodeUnknownSync(PeachClientConfig)({
      baseUrl: "https://peach.example/api",
      auth: { _tag: "ApiKey", header: "X-API-KEY", key: "k" },
      requestsPerSecond: 5
    })
    expect(config).toMatchObject({ pageSize: 100, maxAttempts: 5, timeoutMillis: 30_000, requestsPerSecond: 5 })
    expect(config.concurrency).toBeUndefined()
    expect(config.auth._tag === "ApiKey" && Redacted.value(config.auth.key)).toBe("k")
  })

  it("refuses a page size outside 1..100, a non-http base URL and zero attempts", () => {
    const decode = Schema.decodeUnknownEither(PeachClientConfig)
    expect(Either.isLeft(decode({ baseUrl: "https://p.example", pageSize: 101 }))).toBe(true)
    expect(Either.isLeft(decode({ baseUrl: "ftp://p.example" }))).toBe(true)
    expect(Either.isLeft(decode({ baseUrl: "https://p.example", maxAttempts: 0 }))).toBe(true)
  })

  it.effect("reads the environment: token means bearer, API key means X-API-KEY", () =>
    Effect.gen(function*() {
      const bearer = yield* fromEnv({ PEACH_BASE_URL: "https://p.example", PEACH_TOKEN: "t", PEACH_CONCURRENCY: "4" })
      expect(bearer.auth._tag).toBe("Bearer")
      expect(bearer.concurrency).toBe(4)
      const apiKey = yield* fromEnv({ PEACH_BASE_URL: "https://p.example", PEACH_API_KEY: "k", PEACH_PAGE_SIZE: "50" })
      expect(apiKey.auth).toMatchObject({ _tag: "ApiKey", header: "X-API-KEY" })
      expect(apiKey.pageSize).toBe(50)
    }))

  it.effect("an unusable environment is a ConfigError naming the setting", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(fromEnv({}))
      expect(String(missing)).toContain("PEACH_BASE_URL")
      const bad = yield* Effect.flip(fromEnv({ PEACH_BASE_URL: "https://p.example", PEACH_PAGE_SIZE: "500" }))
      expect(String(bad)).toContain("pageSize")
    }))
})

describe("PeachClient layers and auth", () => {
  it.effect("layer with a bearer token sends Authorization: Bearer", () =>
    Effect.gen(function*() {
      nock(apiOrigin, { reqheaders: { authorization: "Bearer tok-1" } }).get("/api/people/BO-UJZD-E8GX").reply(200, item(personJson()))
      const person = yield* Effect.flatMap(PeachClient, (c) => c.getPerson("BO-UJZD-E8GX")).pipe(
        Effect.provide(PeachClient.layer(makePeachClientConfig({ baseUrl: peachRoot, auth: { _tag: "Bearer", token: "tok-1" } })))
      )
      expect(person.id).toBe("BO-UJZD-E8GX")
    }))

  it.effect("layerConfig with an API key sends X-API-KEY and no Authorization", () =>
    Effect.gen(function*() {
      nock(apiOrigin, { reqheaders: { "x-api-key": "key-9" }, badheaders: ["authorization"] })
        .get("/api/people/BO-UJZD-E8GX")
        .reply(200, item(personJson()))
      const layer = PeachClient.layerConfig(peachClientConfigFromEnv).pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["PEACH_BASE_URL", peachRoot], ["PEACH_API_KEY", "key-9"]]))))
      )
      const person = yield* Effect.flatMap(PeachClient, (c) => c.getPerson("BO-UJZD-E8GX")).pipe(Effect.provide(layer))
      expect(person.externalId).toBe("BRW-1001")
    }))

  it.effect("without credentials the server's 401 is Unauthorized", () =>
    Effect.gen(function*() {
      nock(apiOrigin, { badheaders: ["authorization", "x-api-key"] })
        .get("/api/people/BO-UJZD-E8GX")
        .reply(401, { status: 401, message: "Missing credentials" })
      const error = yield* Effect.flatMap(PeachClient, (c) => Effect.flip(c.getPerson("BO-UJZD-E8GX"))).pipe(
        Effect.provide(PeachClient.layer(makePeachClientConfig({ baseUrl: peachRoot })))
      )
      expect(error).toMatchObject({ _tag: "Unauthorized", status: 401, serverMessage: "Missing credentials" })
    }))
})
