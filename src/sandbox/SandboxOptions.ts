import { Context, Either, Schema } from "effect"

const Rate = Schema.Number.pipe(Schema.between(0, 1))

/**
 * The fault and load knobs of the sandbox. Every rate is a probability in 0..1 drawn
 * from a PRNG seeded with `seed`, so a failing fault test replays the same faults.
 */
export const Knobs = Schema.Struct({
  /** Added to every API request before it is handled (ms). */
  latencyMs: Schema.NonNegativeInt,
  /** Extra latency drawn uniformly from 0..latencyJitterMs (ms). */
  latencyJitterMs: Schema.NonNegativeInt,
  /** Requests per second allowed by a token bucket (burst = one second's worth, at least 1); null = unlimited. */
  rateLimit: Schema.NullOr(Schema.Number.pipe(Schema.positive())),
  /** Share of API requests answered with an injected 500 or 503 before they are handled. */
  faultRate: Rate,
  /** Share of API requests whose connection is destroyed before they are handled. */
  dropRate: Rate,
  /** Share of successful POST/PUT/DELETE requests whose change is committed and whose connection is then destroyed. */
  commitThenDropRate: Rate,
  /** Seed of the PRNG behind every rate and behind generated ids. */
  seed: Schema.Int
})
export type Knobs = typeof Knobs.Type

/** A partial change of the knobs, as `POST /_sandbox/knobs` accepts it. */
export const KnobsPatch = Schema.partial(Knobs)
export type KnobsPatch = typeof KnobsPatch.Type

/** Knobs of a sandbox nobody tuned: no latency, no limit, no faults. */
export const defaultKnobs: Knobs = {
  latencyMs: 0,
  latencyJitterMs: 0,
  rateLimit: null,
  faultRate: 0,
  dropRate: 0,
  commitThenDropRate: 0,
  seed: 42
}

/** The credentials every API group accepts (each group decides which header carries which). */
export interface SandboxCredentials {
  /** Accepted as `Authorization: Bearer <token>`. */
  readonly token: string
  /** Accepted as `X-API-KEY: <apiKey>`. */
  readonly apiKey: string
}

/** Credentials of a sandbox started without any: documented in the README and printed by the CLI. */
export const defaultCredentials: SandboxCredentials = { token: "sandbox-token", apiKey: "sandbox-key" }

/** How list pages spell `nextUrl` / `previousUrl`: `/api/cases?…` or `http://127.0.0.1:4010/api/cases?…`. */
export type LinkStyle = "rootRelative" | "absolute"

/**
 * What the Peach-style responses look like: `lean` (the default) as an untidy real
 * server answers — nulls left out, case types without `createdAt` and `description`,
 * a field the seeds do not name added — or `full`, every field the seeds show.
 */
export type ResponseStyle = "lean" | "full"

/** Where the Peach-style API lives on the server unless told otherwise. */
export const defaultBasePath = "/api"

/** How to start a sandbox; everything is optional. */
export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number
  /** Path of the Peach-style API root (default `/api`; `/` serves it at the server root). */
  readonly basePath?: string
  /** Default `rootRelative`, as real servers commonly write links. */
  readonly linkStyle?: LinkStyle
  /** Default `lean`. */
  readonly responses?: ResponseStyle
  readonly knobs?: Partial<Knobs>
  readonly credentials?: Partial<SandboxCredentials>
  /**
   * Replacement seed data per group name (e.g. `{ peach: { cases: [] } }`); each
   * group decodes its own entry with its own schema and falls back to `samples/`.
   */
  readonly fixtures?: Readonly<Record<string, unknown>>
}

/** The resolved start-up configuration, given to every group's state layer. */
export class SandboxConfig extends Context.Tag("casesync/sandbox/SandboxConfig")<
  SandboxConfig,
  {
    readonly credentials: SandboxCredentials
    readonly initialKnobs: Knobs
    readonly fixtures: Readonly<Record<string, unknown>>
    /** The Peach-style API root's path without a trailing slash (`""` at the server root). */
    readonly basePath: string
    readonly linkStyle: LinkStyle
    readonly responses: ResponseStyle
  }
>() {}

// Paths the server keeps for itself: the CRM's root and the control routes.
const reservedRoots = ["/crm", "/_sandbox"]

/**
 * Normalises a base path (`api`, `/api/` → `/api`; `/` → `""`), or says why it cannot
 * be one: it must be a plain path, and must not overlap the CRM (`/crm`) or the
 * control routes (`/_sandbox`), which keep their own roots on the same server.
 */
export const normaliseBasePath = (raw: string): Either.Either<string, string> => {
  const trimmed = raw.trim()
  if (/[?#\s]/.test(trimmed)) return Either.left(`base path ${JSON.stringify(raw)} must be a plain path such as /api`)
  const path = ("/" + trimmed).replace(/\/{2,}/g, "/").replace(/\/+$/, "")
  const clash = reservedRoots.find((root) => path === root || path.startsWith(`${root}/`))
  return clash === undefined
    ? Either.right(path)
    : Either.left(`base path ${path} overlaps ${clash}, which the sandbox keeps for ${clash === "/crm" ? "the CRM" : "its control routes"}`)
}

/** Fills the defaults of a partial options object. */
export const resolveConfig = (options: SandboxOptions): SandboxConfig["Type"] => ({
  credentials: { ...defaultCredentials, ...options.credentials },
  initialKnobs: { ...defaultKnobs, ...options.knobs },
  fixtures: options.fixtures ?? {},
  basePath: options.basePath ?? defaultBasePath,
  linkStyle: options.linkStyle ?? "rootRelative",
  responses: options.responses ?? "lean"
})
