import * as NodeContext from "@effect/platform-node/NodeContext"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { migrate } from "./Migrations.js"
import { connectError, make, migrationError, type PgStateOptions, StateStore } from "./StateStore.js"
import { StateStoreError } from "./StateStoreError.js"

// The PostgreSQL state store, in its own module so that `StateStore.layerPg` loads it (and pg) only when used.

const schemaName = /^[a-z_][a-z0-9_]*$/

/** A loggable form of a connection URL. */
const withoutPassword = (url: URL): string => {
  const shown = new URL(url.href)
  if (shown.password) shown.password = "***"
  return shown.href
}

/** A store in a Postgres database (optionally in its own schema, created if missing), migrated on open. */
export const layerPg = (options: PgStateOptions): Layer.Layer<StateStore, StateStoreError> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const { schema } = options
    const raw = Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url
    const url = yield* Effect.try({
      try: () => new URL(raw),
      catch: (cause) => new StateStoreError({ reason: "Connect", detail: "the postgres URL is not a URL", cause })
    })
    if (schema !== undefined) {
      if (!schemaName.test(schema)) {
        return yield* new StateStoreError({
          reason: "Connect",
          detail: `schema name "${schema}" must be lower-case letters, digits and underscores`
        })
      }
      // Every pooled connection starts with the schema first on its search_path.
      const given = url.searchParams.get("options")
      url.searchParams.set("options", `${given ? `${given} ` : ""}-c search_path=${schema}`)
    }
    const shown = withoutPassword(url)
    const store = Layer.effect(
      StateStore,
      Effect.gen(function*() {
        yield* migrate(PgMigrator.run, schema).pipe(Effect.mapError(migrationError), Effect.provide(NodeContext.layer))
        return yield* make
      })
    )
    const client = PgClient.layer({ url: Redacted.make(url.href), applicationName: "casesync" }).pipe(
      Layer.catchAllCause(connectError(`connecting to postgres at ${shown}`))
    )
    return Layer.provide(store, client)
  }))
