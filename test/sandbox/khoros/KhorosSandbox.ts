import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { type Sandbox, startSandbox } from "../../../src/sandbox/SandboxServer.js"
import { defaultCredentials, type SandboxOptions } from "../../../src/sandbox/SandboxOptions.js"
import { khorosPathPrefix } from "../../../src/sandbox/khoros/KhorosRoutes.js"

/** A sandbox shared by one test file, reset (state, counters, knobs' PRNG) before each test. */
export const useSandbox = (options: SandboxOptions = {}): { readonly current: Sandbox; readonly crmUrl: string } => {
  let scope: Scope.CloseableScope | undefined
  let sandbox: Sandbox | undefined
  beforeAll(async () => {
    scope = await Effect.runPromise(Scope.make())
    sandbox = await Effect.runPromise(Scope.extend(startSandbox(options), scope))
  })
  beforeEach(async () => {
    await Effect.runPromise(sandbox!.reset)
  })
  afterAll(async () => {
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  })
  return {
    get current() {
      if (sandbox === undefined) throw new Error("the sandbox is not started yet (use it inside a test)")
      return sandbox
    },
    get crmUrl() {
      return this.current.crmUrl
    }
  }
}

/** The API key the sandbox accepts when started without credentials. */
export const sandboxApiKey = defaultCredentials.apiKey

/** Calls the sandbox CRM with `fetch`, with the right API key unless `headers` says otherwise. */
export const crmFetch = async (
  crmUrl: string,
  path: string,
  init: { readonly method?: string; readonly body?: unknown; readonly headers?: Record<string, string> } = {}
): Promise<{ readonly status: number; readonly headers: Headers; readonly json: any }> => {
  const response = await fetch(`${crmUrl}${path}`, {
    method: init.method ?? "GET",
    headers: {
      "x-api-key": sandboxApiKey,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers
    },
    ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) })
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : JSON.parse(text) }
}
