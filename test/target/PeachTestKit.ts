import { Effect, Layer } from "effect"
import type { HttpPolicy } from "../../src/http/index.js"
import { makePeachClientConfig, PeachClient } from "../../src/target/index.js"
import { apiOrigin } from "../http/NockTestKit.js"

/** The API root the Peach client tests use: a path under the origin, as a real deployment has. */
export const peachRoot = `${apiOrigin}/api`

/** A Peach client on FetchHttpClient (nock intercepts it), with quick retries for TestClock-driven tests. */
export const peachLayer = (overrides: Partial<typeof HttpPolicy.Encoded> & { pageSize?: number } = {}): Layer.Layer<PeachClient> =>
  PeachClient.layer(
    makePeachClientConfig({
      baseUrl: peachRoot,
      auth: { _tag: "Bearer", token: "test-token" },
      maxAttempts: 3,
      backoffBaseMillis: 100,
      timeoutMillis: 60_000,
      ...overrides
    })
  )

/** Runs `f` with a fresh Peach client (fresh pacing state per test). */
export const withPeach = <A, E>(
  f: (client: PeachClient["Type"]) => Effect.Effect<A, E>,
  overrides?: Parameters<typeof peachLayer>[0]
): Effect.Effect<A, E> => Effect.flatMap(PeachClient, f).pipe(Effect.provide(peachLayer(overrides)))

/** `{status, message, data}` as the API wraps one object. */
export const item = (data: unknown) => ({ status: 200, message: "Success", data })
