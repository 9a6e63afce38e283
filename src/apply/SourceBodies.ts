/**
 * The bodies of a CSV plan's creates, made again at apply from the source file the plan read
 * (`plan/BodyReference.ts`): the file is checked whole against the header's seal before any write,
 * then read again in order beside the plan's items (both are in source order), and only the records
 * the plan refers to are mapped. Memory stays flat: one chunk of each side at a time.
 */
import { Chunk, Data, Effect, Either, Option, Stream } from "effect"
import * as fs from "node:fs"
import type { CsvSourceError } from "../sources/csv/CsvSourceError.js"
import { readCsv } from "../sources/csv/CsvSource.js"
import { makeSealer, type SourceSeal } from "../sources/SealingMeter.js"
import type { SourceItem } from "../sources/SourceRecord.js"
import { type CreateReference, isReference, type PlanEntry } from "../plan/BodyReference.js"
import type { PlanHeader, PlanItem, PlannedCreate, PlanSourceFile } from "../plan/Plan.js"
import { PlanFileError, streamPlanEntries, streamPlanItems } from "../plan/PlanFile.js"
import type { MappedRecord, RecordMapper, RecordRejection } from "../plan/Planner.js"

/** The source file a plan's creates are made from is gone or changed since the plan: the whole plan is refused, nothing written. */
export class SourceFileChanged extends Data.TaggedError("SourceFileChanged")<{
  readonly planId: string
  readonly file: string
  readonly reason: "Missing" | "Unreadable" | "Changed"
  /** What differs, in words. */
  readonly detail: string
}> {
  override get message() {
    return `cannot apply plan ${this.planId}: its creates are made from ${this.file}, which ${this.detail}. ` +
      "Apply sends only bodies that were reviewed: put back the file the plan read, or make a new plan (casesync plan) and review it"
  }
}

const short = (sha256: string) => `${sha256.slice(0, 12)}…`

/** Reads `file` once and compares its bytes with the plan's seal; fails before any write if they differ. */
export const checkSourceFile = (planId: string, sourceFile: PlanSourceFile, file: string): Effect.Effect<void, SourceFileChanged> =>
  Effect.async<SourceSeal, SourceFileChanged>((resume) => {
    const sealer = makeSealer()
    const input = fs.createReadStream(file)
    input.on("data", sealer.add)
    input.once("error", (error: NodeJS.ErrnoException) =>
      resume(Effect.fail(
        error.code === "ENOENT"
          ? new SourceFileChanged({ planId, file, reason: "Missing", detail: "is missing (no such file)" })
          : new SourceFileChanged({ planId, file, reason: "Unreadable", detail: `cannot be read (${error.code ?? error.message})` })
      ))
    )
    input.once("end", () => resume(Effect.succeed(sealer.seal())))
    return Effect.sync(() => input.destroy())
  }).pipe(
    Effect.flatMap((found) =>
      found.size !== sourceFile.size
        ? Effect.fail(new SourceFileChanged({
          planId,
          file,
          reason: "Changed",
          detail: `changed since the plan was made: it had ${sourceFile.size} bytes, it has ${found.size} now`
        }))
        : found.sha256 !== sourceFile.sha256
        ? Effect.fail(new SourceFileChanged({
          planId,
          file,
          reason: "Changed",
          detail: `changed since the plan was made: same size (${found.size} bytes), but its SHA-256 was ${short(sourceFile.sha256)} and is ${short(found.sha256)} now`
        }))
        : Effect.void
    ),
    Effect.withSpan("SourceBodies.checkSourceFile")
  )

const lineOf = (item: SourceItem): number => (item.location._tag === "csv" ? item.location.line : -1)

/**
 * Makes each create by reference whole again: the record at its line is mapped with `mapper` and
 * its body and owned values put in, with the digest the plan recorded. The
 * check happens where every body is judged before it is sent (`ItemClaims.bodyMismatch`): a body
 * that is not the planned one, or no body at all (no record at that line, or the mapping rejects
 * it now), is refused there on its own. Entries that hold their body pass through untouched.
 */
export const restoreBodies = <E, R, E2>(
  entries: Stream.Stream<PlanEntry, E, R>,
  source: Stream.Stream<SourceItem, E2>,
  mapper: RecordMapper
): Stream.Stream<PlanItem, E | E2, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const pull = yield* Stream.toPull(source)
    let chunk: ReadonlyArray<SourceItem> = []
    let index = 0
    let ended = false

    // The source item at `line`, or undefined if there is none; "more" when the chunk in hand ran out first.
    const takeAt = (line: number): SourceItem | undefined | "more" => {
      while (index < chunk.length) {
        const item = chunk[index]!
        const at = lineOf(item)
        if (at > line) return undefined
        index++
        if (at === line) return item
      }
      return ended ? undefined : "more"
    }
    const readMore = pull.pipe(
      Effect.map((next) => {
        chunk = Chunk.toReadonlyArray(next)
        index = 0
      }),
      Effect.catchAll(Option.match({ onNone: () => Effect.sync(() => void (ended = true)), onSome: (error) => Effect.fail(error) }))
    )

    return entries.pipe(Stream.mapChunksEffect((batch) =>
      Effect.gen(function*() {
        const out: Array<PlanItem> = []
        for (const entry of batch) {
          if (!isReference(entry)) {
            out.push(entry)
            continue
          }
          let item = takeAt(entry.location.line)
          while (item === "more") {
            yield* readMore
            item = takeAt(entry.location.line)
          }
          // Plain code where the mapping allows it (as the planner maps); a `compute:` step needs its Effect.
          const result = item?._tag === "Record" ? mapper.mapPlain?.(item) ?? (yield* mapper.map(item)) : undefined
          out.push(restored(entry, result))
        }
        return Chunk.unsafeFromArray(out)
      })
    ))
  }))

/** A create by reference with the body the mapping made again, or with none when it made none (or another record's). */
const restored = (
  reference: CreateReference,
  result: Either.Either<MappedRecord, RecordRejection> | undefined
): PlannedCreate => {
  const mapped = result !== undefined && Either.isRight(result) && result.right.sourceKey === reference.sourceKey ? result.right : undefined
  const body = mapped?.body ?? {}
  return {
    _tag: "create",
    sourceKey: reference.sourceKey,
    externalId: reference.externalId,
    location: reference.location,
    personId: reference.personId,
    body,
    // The plan referred to the record only because these values are its body's at the owned fields.
    values: mapped?.values ?? {},
    bodyDigest: reference.bodyDigest
  }
}

/**
 * The items of a plan file, whole: a create that refers to its source record gets the body the
 * mapping makes of it again, read from `sourcePath` (the config's path of the file the header
 * seals) the way the plan read it. The plan reader for apply, and for anyone who needs the bodies.
 */
export const planItemsWithBodies = (
  planFile: string,
  header: PlanHeader,
  sourcePath: string | undefined,
  mapper: RecordMapper
): Stream.Stream<PlanItem, PlanFileError | CsvSourceError> => {
  const { sourceFile } = header
  if (sourceFile === undefined) return streamPlanItems(planFile)
  if (sourcePath === undefined) {
    return Stream.fail(new PlanFileError({ file: planFile, reason: `its creates are made from the CSV file ${sourceFile.options.path}, and this config reads no CSV file` }))
  }
  return restoreBodies(streamPlanEntries(planFile), readCsv({ ...sourceFile.options, path: sourcePath }), mapper)
}
