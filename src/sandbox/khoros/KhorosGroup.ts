import { Effect, Layer } from "effect"
import type { SandboxGroup } from "../SandboxGroup.js"
import { SandboxConfig } from "../SandboxOptions.js"
import { KhorosCrm, makeKhorosCrm } from "./KhorosCrm.js"
import { authorizeKhoros, khorosRouter, renderKhorosError } from "./KhorosRoutes.js"
import { resolveKhorosSeed } from "./KhorosSeed.js"

/**
 * The Khoros-style CRM (seed 003 and the seeds README) under `/crm` (not under the Peach base path), authenticated by
 * `X-API-KEY`, errors as `{error, message, fields?}`; seeded from `fixtures.khoros` or `samples/khoros/`.
 */
export const KhorosGroup: SandboxGroup<KhorosCrm> = {
  name: "khoros",
  // The CRM is another system: it keeps its own root, /crm, whatever the Peach base path.
  underBasePath: false,
  layer: Layer.effect(
    KhorosCrm,
    Effect.flatMap(SandboxConfig, (config) => makeKhorosCrm(resolveKhorosSeed(config.fixtures["khoros"])))
  ),
  router: khorosRouter,
  authorize: authorizeKhoros,
  renderError: renderKhorosError,
  reset: Effect.flatMap(KhorosCrm, (crm) => crm.reset)
}
