/**
 * Dotted paths into source records (`customer.id`, `interactions.0.body`): reading a
 * value out, writing one back for two-way sync, and what counts as "no value".
 */

/** Reads `path` out of a record; `undefined` when any step is missing. */
export const readPath = (data: unknown, path: string): unknown => {
  if (typeof data === "object" && data !== null && path in data) {
    // A CSV header may itself contain dots; an exact key wins over a nested path.
    return (data as Record<string, unknown>)[path]
  }
  let current: unknown = data
  for (const segment of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

/** Writes `value` at a dotted path of a plain object, creating intermediate objects. */
export const writePath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const segments = segmentsOf(path)
  let cursor = target
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!
    const next = cursor[segment]
    if (next === null || typeof next !== "object") cursor[segment] = {}
    cursor = cursor[segment] as Record<string, unknown>
  }
  cursor[segments[segments.length - 1]!] = value
}

// A mapping reads and writes the same few paths for every record: split each once.
const segmentCache = new Map<string, ReadonlyArray<string>>()
/** The segments of a dotted path, split once per path (the cache is bounded). */
export const segmentsOf = (path: string): ReadonlyArray<string> => {
  let segments = segmentCache.get(path)
  if (segments === undefined) {
    segments = path.split(".")
    if (segmentCache.size < 10_000) segmentCache.set(path, segments)
  }
  return segments
}

/** The first segment of a path: the source field it starts from. */
export const topField = (path: string): string => path.split(".")[0]!

/**
 * Whether a source value means "nothing here": missing, `null`, or an empty text (an
 * empty CSV cell). Such values skip the transformations and fall to `default:` or
 * `required:`.
 */
export const isAbsent = (value: unknown): boolean => value === undefined || value === null || value === ""

/** Whether `path` names a known source field (itself or through its first segment). */
export const isKnownSourcePath = (path: string, fields: ReadonlySet<string>): boolean =>
  fields.has(path) || fields.has(topField(path))
