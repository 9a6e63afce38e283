import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { type Sandbox, startSandbox } from "../sandbox/SandboxServer.js"
import { defaultBasePath, defaultCredentials, defaultKnobs, type Knobs, type SandboxCredentials } from "../sandbox/SandboxOptions.js"

const port = Options.integer("port").pipe(
  Options.withDefault(4010),
  Options.withDescription("TCP port on 127.0.0.1 (0 = any free port)")
)
const latencyMs = Options.integer("latency-ms").pipe(
  Options.withDefault(defaultKnobs.latencyMs),
  Options.withDescription("Added latency per API request, in ms")
)
const latencyJitterMs = Options.integer("latency-jitter-ms").pipe(
  Options.withDefault(defaultKnobs.latencyJitterMs),
  Options.withDescription("Extra random latency per request, 0..N ms")
)
const rateLimit = Options.float("rate-limit").pipe(
  Options.optional,
  Options.withDescription("Requests per second before answering 429 with Retry-After (default: unlimited)")
)
const faultRate = Options.float("fault-rate").pipe(
  Options.withDefault(defaultKnobs.faultRate),
  Options.withDescription("Share (0..1) of API requests answered with an injected 500 or 503")
)
const dropRate = Options.float("drop-rate").pipe(
  Options.withDefault(defaultKnobs.dropRate),
  Options.withDescription("Share (0..1) of API requests whose connection is destroyed unanswered")
)
const commitThenDropRate = Options.float("commit-then-drop-rate").pipe(
  Options.withDefault(defaultKnobs.commitThenDropRate),
  Options.withDescription("Share (0..1) of successful writes committed, then left unanswered (connection dropped)")
)
const seed = Options.integer("seed").pipe(
  Options.withDefault(defaultKnobs.seed),
  Options.withDescription("Seed of the PRNG behind every fault and generated id")
)
const basePath = Options.text("base-path").pipe(
  Options.withDefault(defaultBasePath),
  Options.withDescription("Path of the Peach-style API root (/ = the server root); the CRM stays at /crm")
)
const linkStyle = Options.choice("link-style", ["root-relative", "absolute"]).pipe(
  Options.withDefault("root-relative" as const),
  Options.withDescription("How list pages spell nextUrl/previousUrl: /api/cases?… or http://127.0.0.1:4010/api/cases?…")
)
const fullResponses = Options.boolean("full-responses").pipe(
  Options.withDescription("Answer every field the seeds show (nulls, case type createdAt/description) instead of a lean server's bodies")
)
const token = Options.text("token").pipe(
  Options.withDefault(defaultCredentials.token),
  Options.withDescription("Accepted bearer token (Authorization: Bearer <token>)")
)
const apiKey = Options.text("api-key").pipe(
  Options.withDefault(defaultCredentials.apiKey),
  Options.withDescription("Accepted API key (X-API-KEY: <key>)")
)

/** What the sandbox prints once it listens: where, how to authenticate, which knobs, and a first request to try. */
export const sandboxBanner = (sandbox: Sandbox, knobs: Knobs, credentials: SandboxCredentials): string =>
  [
    `casesync sandbox listening on ${sandbox.url}  (Peach-style API root; Ctrl-C stops it)`,
    `  CRM:   ${sandbox.crmUrl}  (Khoros-style API root)`,
    `  auth:  Authorization: Bearer ${credentials.token}   or   X-API-KEY: ${credentials.apiKey}`,
    `  knobs: latency ${knobs.latencyMs}ms (+0..${knobs.latencyJitterMs}ms), rate limit ${
      knobs.rateLimit === null ? "none" : `${knobs.rateLimit}/s`
    }, fault ${knobs.faultRate}, drop ${knobs.dropRate}, commit-then-drop ${knobs.commitThenDropRate}, seed ${knobs.seed}`,
    `  control: GET ${sandbox.origin}/_sandbox/stats · POST ${sandbox.origin}/_sandbox/reset · POST ${sandbox.origin}/_sandbox/knobs`,
    `  try:   curl -H 'Authorization: Bearer ${credentials.token}' ${sandbox.url}/people/ext-BRW-1001/cases`
  ].join("\n")

/** `casesync sandbox`: runs the sandbox in the foreground until interrupted. */
export const sandboxCommand = Command.make(
  "sandbox",
  { port, basePath, linkStyle, fullResponses, latencyMs, latencyJitterMs, rateLimit, faultRate, dropRate, commitThenDropRate, seed, token, apiKey },
  (options) =>
    Effect.scoped(
      Effect.gen(function*() {
        const credentials = { token: options.token, apiKey: options.apiKey }
        const sandbox = yield* startSandbox({
          port: options.port,
          basePath: options.basePath,
          linkStyle: options.linkStyle === "absolute" ? "absolute" : "rootRelative",
          responses: options.fullResponses ? "full" : "lean",
          credentials,
          knobs: {
            latencyMs: options.latencyMs,
            latencyJitterMs: options.latencyJitterMs,
            rateLimit: Option.getOrNull(options.rateLimit),
            faultRate: options.faultRate,
            dropRate: options.dropRate,
            commitThenDropRate: options.commitThenDropRate,
            seed: options.seed
          }
        })
        yield* Console.log(sandboxBanner(sandbox, yield* sandbox.knobs.get, credentials))
        return yield* Effect.never.pipe(Effect.ensuring(Console.log("casesync sandbox stopped")))
      })
    ).pipe(
      // A person typed a bad flag or a busy port: say so in one line, exit 1, no stack trace.
      Effect.catchTag("SandboxStartError", (error) =>
        Effect.zipRight(Console.error(`casesync sandbox: ${error.message}`), Effect.sync(() => {
          process.exitCode = 1
        })))
    )
).pipe(Command.withDescription("Run a local Peach-style case API (and the other sandboxed APIs) with fault knobs"))
