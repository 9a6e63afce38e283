import { ParseResult } from "effect"
import type { DecodeIssue } from "./HttpRequestError.js"

/** Renders a schema path the way people read JSON: `data.items[0].status`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) =>
      typeof key === "number"
        ? `${acc}[${key}]`
        : acc === ""
        ? String(key)
        : `${acc}.${String(key)}`,
    ""
  )

/**
 * Flattens a schema failure into one issue per offending field path, keeping the
 * first (most specific) message per path so a union's alternatives do not repeat it.
 */
export const issuesOf = (error: ParseResult.ParseError, prefix: ReadonlyArray<PropertyKey> = []): Array<DecodeIssue> => {
  const seen = new Map<string, string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = formatPath([...prefix, ...issue.path])
    if (!seen.has(path)) seen.set(path, issue.message)
  }
  return [...seen].map(([path, message]) => ({ path, message }))
}

/** The whole failure as an indented tree, for logs and `--verbose` reports. */
export const treeOf = (error: ParseResult.ParseError): string => ParseResult.TreeFormatter.formatErrorSync(error)
