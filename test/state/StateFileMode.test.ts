import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { FileSystem } from "@effect/platform/FileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { StateStore } from "../../src/state/StateStore.js"

const modeOf = (file: string) => fs.statSync(file).mode & 0o777

// The state database holds record contents (the ledger's last synced values): nobody but
// its owner may read it, whatever the umask, and neither its WAL nor its shared-memory file.
describe("the SQLite state files", () => {
  it.scoped("are created 0600: the database, its -wal and its -shm", () =>
    Effect.gen(function*() {
      const dir = yield* (yield* FileSystem).makeTempDirectoryScoped({ prefix: "casesync-mode-" })
      const filename = path.join(dir, "nested", "state.db")
      const umask = process.umask(0o022)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.umask(umask)))
      yield* Effect.gen(function*() {
        const store = yield* StateStore
        // A write, so the WAL and the shared-memory index exist.
        yield* store.startRun({ runId: "mode-test", command: "test", configDigest: "digest" })
        for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) {
          expect(fs.existsSync(file), file).toBe(true)
          expect(modeOf(file).toString(8), file).toBe("600")
        }
      }).pipe(Effect.provide(Layer.fresh(StateStore.layerSqlite({ filename }))))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("are tightened to 0600 when an older run left them readable", () =>
    Effect.gen(function*() {
      const dir = yield* (yield* FileSystem).makeTempDirectoryScoped({ prefix: "casesync-mode-" })
      const filename = path.join(dir, "state.db")
      fs.writeFileSync(filename, "")
      fs.chmodSync(filename, 0o644)
      yield* Effect.gen(function*() {
        yield* StateStore
        expect(modeOf(filename).toString(8)).toBe("600")
      }).pipe(Effect.provide(Layer.fresh(StateStore.layerSqlite({ filename }))))
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
