import { HttpRouter } from "@effect/platform"
import { Effect, Layer } from "effect"
import type { SandboxGroup } from "../SandboxGroup.js"
import { caseRoutes } from "./CaseRoutes.js"
import { caseTypeRoutes } from "./CaseTypeRoutes.js"
import { authorizePeach, renderPeachError } from "./PeachHttp.js"
import { PeachState } from "./PeachState.js"
import { PeachWire } from "./PeachWire.js"
import { peopleRoutes } from "./PeopleRoutes.js"

/**
 * The Peach-style case and case-type API (seeds 000-002, PEACH_ROUTES.md) under the
 * base path (`/api` by default), responses shaped by `PeachWire`, authenticated by bearer token or `X-API-KEY`, errors as `{status, message, errors?}`.
 */
export const PeachGroup: SandboxGroup<PeachState | PeachWire> = {
  name: "peach",
  underBasePath: true,
  layer: Layer.merge(PeachState.layer, PeachWire.layer),
  router: HttpRouter.concatAll(caseRoutes, caseTypeRoutes, peopleRoutes),
  authorize: authorizePeach,
  renderError: renderPeachError,
  reset: Effect.flatMap(PeachState, (state) => state.reset)
}
