import { HttpRouter } from "@effect/platform"
import { Effect } from "effect"
import type { SandboxGroup } from "../SandboxGroup.js"
import { caseRoutes } from "./CaseRoutes.js"
import { caseTypeRoutes } from "./CaseTypeRoutes.js"
import { authorizePeach, renderPeachError } from "./PeachHttp.js"
import { PeachState } from "./PeachState.js"
import { peopleRoutes } from "./PeopleRoutes.js"

/**
 * The Peach-style case and case-type API (seeds 000-002, PEACH_ROUTES.md) at the
 * server root, authenticated by bearer token or `X-API-KEY`, errors as `{status, message, errors?}`.
 */
export const PeachGroup: SandboxGroup<PeachState> = {
  name: "peach",
  layer: PeachState.layer,
  router: HttpRouter.concatAll(caseRoutes, caseTypeRoutes, peopleRoutes),
  authorize: authorizePeach,
  renderError: renderPeachError,
  reset: Effect.flatMap(PeachState, (state) => state.reset)
}
