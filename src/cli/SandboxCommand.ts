import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect } from "effect"
import { defaultBasePath, defaultCredentials, defaultKnobs } from "../sandbox/SandboxOptions.js"
import { lazily } from "./LazyHandler.js"

// The definitions only; the handler (SandboxHandler.ts) loads when the command is chosen.

const port = Options.integer("port").pipe(
  // Checked here so that a typo is a usage error, not a stack trace from listen().
  Options.mapEffect((n) =>
    n >= 0 && n <= 65535
      ? Effect.succeed(n)
      : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--port ${n}: not a TCP port (0..65535, 0 = any free port)`)))
  ),
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

const sandboxOptions = { port, basePath, linkStyle, fullResponses, latencyMs, latencyJitterMs, rateLimit, faultRate, dropRate, commitThenDropRate, seed, token, apiKey }

/** What `casesync sandbox` parses. */
export type SandboxOptions = Command.Command.ParseConfig<typeof sandboxOptions>

/** `casesync sandbox`: runs the sandbox in the foreground until interrupted. */
export const sandboxCommand = Command.make("sandbox", sandboxOptions, (options) =>
  lazily(() => import("./SandboxHandler.js"), (h) => h.sandbox(options))
).pipe(Command.withDescription("Run a local Peach-style case API (and the other sandboxed APIs) with fault knobs"))
