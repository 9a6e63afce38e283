/**
 * The plan file: plain JSON a person can open (and `jq`), laid out one item per line
 * so that writing and reading it stream with flat memory on million-record plans.
 *
 *   {"header": {…},
 *   "items": [
 *   {…item…},
 *   {…item…}
 *   ],
 *   "counts": {…},
 *   "digest": {…}}
 *
 * The digest (`PlanDigest.ts`) covers the header, every item in order and the counts, so
 * `verifyPlanFile` refuses a plan that was edited, reordered or cut after it was reviewed.
 */
import { Data, Effect, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { SourceSeal } from "../sources/SealingMeter.js"
import { formatLocation } from "../sources/SourceRecord.js"
import { isReference, type PlanEntry, referenceLinePrefix } from "./BodyReference.js"
import { emptyCounts, PlanCounts, PlanHeader, type PlanItem } from "./Plan.js"
import { type FileLine, fileLines } from "./FileLines.js"
import { decodePlanLine, encodePlanLine } from "./PlanLine.js"
import { PlanDigest, planDigester, digestProblem } from "./PlanDigest.js"

/** A plan file that cannot be written or read back, with the line that broke. */
export class PlanFileError extends Data.TaggedError("PlanFileError")<{
  readonly file: string
  readonly line?: number
  readonly reason: string
}> {
  override get message() {
    return `plan file ${this.file}${this.line === undefined ? "" : `:${this.line}`}: ${this.reason}`
  }
}

const decodeHeader = Schema.decodeUnknownEither(PlanHeader)
const decodeCounts = Schema.decodeUnknownEither(PlanCounts)
const decodeDigest = Schema.decodeUnknownEither(PlanDigest)

const headerJson = (header: PlanHeader) => JSON.stringify(Schema.encodeSync(PlanHeader)(header))
const headerPrefix = "{\"header\": "
/** Digits the header line leaves room for in the source file's size: a size is known only once the source is read. */
const sizeRoom = 20

const sealed = (header: PlanHeader & { readonly sourceFile: NonNullable<PlanHeader["sourceFile"]> }, seal: SourceSeal): PlanHeader => ({
  ...header,
  sourceFile: { ...header.sourceFile, sha256: seal.sha256, size: seal.size }
})

/**
 * The header line's text, with room for a seal to come: a SHA-256 is 64 hex digits whatever the
 * file, and the size is padded with spaces (JSON ignores them), so the sealed header is written
 * in place over it once the source has been read, and the plan is still written in one pass.
 * A plan that wrote no create by reference needs no source: its final header names none.
 */
const headerTexts = (file: string, header: PlanHeader, seal: Effect.Effect<SourceSeal, PlanFileError> | undefined) => {
  const { sourceFile } = header
  if (sourceFile === undefined || seal === undefined) {
    const text = headerJson(header)
    return { first: text, final: (_referenced: boolean) => Effect.succeed(text) }
  }
  const withSeal = { ...header, sourceFile }
  const first = headerJson(sealed(withSeal, { sha256: "0".repeat(64), size: 0 })) + " ".repeat(sizeRoom)
  const room = Buffer.byteLength(first)
  const padded = (text: string) => text + " ".repeat(room - Buffer.byteLength(text))
  const { sourceFile: _, caseTypes: __, ...selfContained } = header
  return {
    first,
    final: (referenced: boolean) =>
      !referenced ? Effect.succeed(padded(headerJson(selfContained))) : Effect.flatMap(seal, (found) => {
        const text = headerJson(sealed(withSeal, found))
        return /^[0-9a-f]{64}$/.test(found.sha256) && Buffer.byteLength(text) <= room
          ? Effect.succeed(padded(text))
          : Effect.fail(new PlanFileError({ file, reason: `cannot record the seal of its source ${sourceFile.options.path}: ${JSON.stringify(found)}` }))
      })
  }
}

/**
 * Writes `items` to `file` as they stream by and returns their counts; `skipped` is
 * asked once the stream has ended (records a filter left out never become items), and so is
 * `seal`, what the header records of its source file's bytes (`sourceFile`) once they are read,
 * if a create refers to that file.
 * The file is written under a temporary name and renamed, so a crash never leaves a
 * half plan under the real name.
 */
export const writePlanFile = <E, R>(
  file: string,
  header: PlanHeader,
  items: Stream.Stream<PlanItem, E, R>,
  skipped: Effect.Effect<number> = Effect.succeed(0),
  seal?: Effect.Effect<SourceSeal, PlanFileError>
): Effect.Effect<PlanCounts, E | PlanFileError, R> =>
  Effect.acquireUseRelease(
    Effect.try({
      try: () => {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
        const temporary = `${file}.${process.pid}.tmp`
        return { temporary, fd: fs.openSync(temporary, "w") }
      },
      catch: (error) => new PlanFileError({ file, reason: String(error) })
    }),
    ({ fd, temporary }) => {
      const write = (text: string, position?: number) =>
        Effect.try({
          try: () => void (position === undefined ? fs.writeSync(fd, text) : fs.writeSync(fd, text, position)),
          catch: (error) => new PlanFileError({ file, reason: String(error) })
        })
      let first = true
      let referenced = false
      // Tallied in place: one count per item, no new object per item.
      const counts: { -readonly [K in keyof PlanCounts]: number } = { ...emptyCounts }
      const digester = planDigester()
      const headerText = headerTexts(file, header, seal)
      return write(`${headerPrefix}${headerText.first},\n"items": [\n`).pipe(
        Effect.zipRight(
          // One write per chunk of items; the items are plain data, encoded by plain code.
          Stream.runForEachChunk(items, (chunk) => {
            let text = ""
            for (const item of chunk) {
              counts.read++
              counts[item._tag]++
              const line = encodePlanLine(item, header)
              if (!referenced && item._tag === "create" && line.startsWith(referenceLinePrefix)) referenced = true
              digester.add(line)
              text += (first ? "" : ",\n") + line
              first = false
            }
            return text === "" ? Effect.void : write(text)
          })
        ),
        Effect.zipRight(Effect.all([skipped, Effect.suspend(() => headerText.final(referenced))])),
        Effect.flatMap(([skippedCount, finalHeader]) => {
          const final: PlanCounts = { ...counts, read: counts.read + skippedCount, skipped: skippedCount }
          const countsText = JSON.stringify(final)
          const digest = JSON.stringify(digester.finish(finalHeader, countsText))
          return write(`${first ? "" : "\n"}],\n"counts": ${countsText},\n"digest": ${digest}}\n`).pipe(
            Effect.zipRight(finalHeader === headerText.first ? Effect.void : write(finalHeader, Buffer.byteLength(headerPrefix))),
            Effect.as(final)
          )
        }),
        Effect.tap(() =>
          Effect.try({
            try: () => {
              fs.fsyncSync(fd)
              fs.renameSync(temporary, file)
            },
            catch: (error) => new PlanFileError({ file, reason: String(error) })
          })
        )
      )
    },
    ({ fd, temporary }) =>
      Effect.sync(() => {
        fs.closeSync(fd)
        if (fs.existsSync(temporary)) fs.rmSync(temporary)
      })
  )

const lines = (file: string) => fileLines(file, (error) => new PlanFileError({ file, reason: String(error) }))

const parseJson = (file: string, line: number, text: string) =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: () => new PlanFileError({ file, line, reason: "not valid JSON (was the file edited by hand?)" })
  })

/** Reads the header of a plan file: what job, mapping and target the plan was made for. */
export const readPlanHeader = (file: string): Effect.Effect<PlanHeader, PlanFileError> =>
  Effect.gen(function*() {
    if (!fs.existsSync(file)) return yield* new PlanFileError({ file, reason: "no such file" })
    const first = yield* lines(file).pipe(Stream.runHead)
    const text = first._tag === "Some" ? first.value.text : ""
    const match = /^\{"header": (.*),$/.exec(text)
    if (match === null) return yield* new PlanFileError({ file, line: 1, reason: "not a casesync plan file" })
    const json = yield* parseJson(file, 1, match[1]!)
    const decoded = decodeHeader(json)
    if (decoded._tag === "Left") {
      return yield* new PlanFileError({ file, line: 1, reason: `bad header: ${decoded.left.message}` })
    }
    return decoded.right
  })

const isItemLine = (text: string) =>
  text !== "" && !text.startsWith("],") && !text.startsWith("\"counts\"") && !text.startsWith("\"digest\"")

/**
 * Streams the lines of a plan file as written, decoding each one: items whole, and creates that
 * refer to their source record without their body (`BodyReference.ts`); a damaged line fails with its line number.
 */
export const streamPlanEntries = (file: string): Stream.Stream<PlanEntry, PlanFileError> =>
  Stream.unwrap(Effect.map(readPlanHeader(file), (header) =>
    lines(file).pipe(
      Stream.filter(({ line, text }) => line > 2 && isItemLine(text)),
      Stream.mapEffect(({ line, text }) =>
        parseJson(file, line, text.endsWith(",") ? text.slice(0, -1) : text).pipe(
          Effect.flatMap((json) => {
            const decoded = decodePlanLine(json, header)
            return decoded._tag === "Right"
              ? Effect.succeed(decoded.right)
              : Effect.fail(new PlanFileError({ file, line, reason: `bad item: ${decoded.left}` }))
          })
        )
      )
    )
  ))

/**
 * Streams the items of a plan file whose items are all whole (a CRM plan, reconcile's repairs);
 * a create that refers to its source record fails, since its body is made again from the source
 * (`SourceBodies.ts` reads such plans).
 */
export const streamPlanItems = (file: string): Stream.Stream<PlanItem, PlanFileError> =>
  streamPlanEntries(file).pipe(
    Stream.mapEffect((entry) =>
      isReference(entry)
        ? Effect.fail(new PlanFileError({ file, reason: `the create of ${formatLocation(entry.location)} refers to its source record: read the plan with its source (its body is made again from it)` }))
        : Effect.succeed(entry)
    )
  )

const countsPrefix = "\"counts\": "
const digestPrefix = "\"digest\": "

/** Decodes the counts line (it ends with `,` before the digest line, `}` in older plans). */
const decodeCountsLine = (file: string, found: FileLine | undefined): Effect.Effect<PlanCounts, PlanFileError> =>
  found === undefined
    ? Effect.fail(new PlanFileError({ file, reason: "no counts line: the plan was not finished" }))
    : parseJson(file, found.line, found.text.slice(countsPrefix.length, -1)).pipe(
      Effect.flatMap((json) => {
        const decoded = decodeCounts(json)
        return decoded._tag === "Right"
          ? Effect.succeed(decoded.right)
          : Effect.fail(new PlanFileError({ file, line: found.line, reason: decoded.left.message }))
      })
    )

/** Reads the counts line at the end of a plan file. */
export const readPlanCounts = (file: string): Effect.Effect<PlanCounts, PlanFileError> =>
  lines(file).pipe(
    Stream.filter(({ text }) => text.startsWith(countsPrefix)),
    Stream.runHead,
    Effect.flatMap((found) => decodeCountsLine(file, found._tag === "Some" ? found.value : undefined))
  )

/**
 * Checks that a plan file is exactly the plan that was written (and reviewed): reads it once,
 * recomputes the digest of its header, items and counts and compares it with the one it
 * records. Returns the header and counts; an edited, reordered or cut plan fails with a
 * `PlanFileError` that says which, before anything is applied.
 */
export const verifyPlanFile = (file: string): Effect.Effect<{ readonly header: PlanHeader; readonly counts: PlanCounts }, PlanFileError> =>
  Effect.gen(function*() {
    const header = yield* readPlanHeader(file)
    const refuse = (reason: string) =>
      new PlanFileError({ file, reason: `${reason}. Apply runs a plan only as it was reviewed: make a new plan (casesync plan) and review it` })
    const digester = planDigester()
    // One pass over the file; the counts and digest lines are kept whole (one each, or the plan was edited).
    const read = { headerText: "", counts: [] as Array<FileLine>, digests: [] as Array<string> }
    yield* Stream.runForEach(lines(file), ({ line, text }) =>
      Effect.sync(() => {
        if (line === 1) read.headerText = text.slice(headerPrefix.length, -1)
        else if (text.startsWith(countsPrefix)) read.counts.push({ line, text })
        else if (text.startsWith(digestPrefix)) read.digests.push(text.slice(digestPrefix.length, -1))
        else if (line > 2 && isItemLine(text)) digester.add(text.endsWith(",") ? text.slice(0, -1) : text)
      }))
    const counts = yield* decodeCountsLine(file, read.counts[0])
    if (read.counts.length > 1) return yield* refuse("it has more than one counts line: it was edited since it was written")
    if (read.digests.length > 1) return yield* refuse("it has more than one digest line: it was edited since it was written")
    const countsText = read.counts[0]!.text.slice(countsPrefix.length, -1)
    const digestText = read.digests[0] ?? ""
    if (digestText === "") return yield* refuse("it records no digest (written by an older casesync, or cut short)")
    const recorded = yield* Effect.try({
      try: () => JSON.parse(digestText) as unknown,
      catch: () => refuse("its digest line is not valid JSON")
    }).pipe(Effect.flatMap((json) => {
      const decoded = decodeDigest(json)
      return decoded._tag === "Right" ? Effect.succeed(decoded.right) : Effect.fail(refuse(`its digest line is damaged: ${decoded.left.message}`))
    }))
    const problem = digestProblem(recorded, digester.finish(read.headerText, countsText))
    if (problem._tag === "Some") return yield* refuse(problem.value)
    return { header, counts }
  })
