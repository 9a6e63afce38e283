import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"

/** Requests one side was sent, every attempt counted (as the server sees them): reads are GETs, writes the rest. */
export interface SideRequests {
  readonly reads: number
  readonly writes: number
}

/** A tally of the requests sent through the HTTP clients it wraps. */
export interface RequestCounter {
  readonly snapshot: () => SideRequests
  /** `FetchHttpClient` with every request counted here before it goes on the wire. */
  readonly http: Layer.Layer<HttpClient.HttpClient>
}

const readMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"])

/** A counter starting at zero; counting happens at the client edge, so retries count as the server counts them. */
export const makeRequestCounter = (): RequestCounter => {
  let reads = 0
  let writes = 0
  const http = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.tapRequest(client, (request) =>
        Effect.sync(() => {
          if (readMethods.has(request.method)) reads++
          else writes++
        })))
  ).pipe(Layer.provide(FetchHttpClient.layer))
  return { snapshot: () => ({ reads, writes }), http }
}
