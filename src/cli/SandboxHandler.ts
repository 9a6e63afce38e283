// The handler of `casesync sandbox`, loaded only when it is chosen.
import { Console, Effect, Option } from "effect"
import { stopsOnSignal } from "./Signals.js"
import { type Sandbox, startSandbox } from "../sandbox/SandboxServer.js"
import type { Knobs, SandboxCredentials } from "../sandbox/SandboxOptions.js"
import type { SandboxOptions } from "./SandboxCommand.js"

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
export const sandbox = (options: SandboxOptions) =>
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
      stopsOnSignal()
      return yield* Effect.never.pipe(Effect.ensuring(Console.log("casesync sandbox stopped")))
    })
  ).pipe(
    // A person typed a bad flag or a busy port: say so in one line, exit 1, no stack trace.
    Effect.catchTag("SandboxStartError", (error) =>
      Effect.zipRight(Console.error(`casesync sandbox: ${error.message}`), Effect.sync(() => {
        process.exitCode = 1
      })))
  )
