import { Command } from "@effect/cli"
import { lazily } from "./LazyHandler.js"

/**
 * `casesync demo`: a real migration of `samples/` into a sandbox started in this process,
 * then the same migration again; the handler (DemoHandler.ts) loads when it is chosen.
 */
export const demoCommand = Command.make("demo", {}, () => lazily(() => import("./DemoHandler.js"), (h) => h.demo())).pipe(
  Command.withDescription("Migrate samples/ into an in-process sandbox, then run it again to show the second pass writes nothing")
)
