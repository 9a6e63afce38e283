import { Either } from "effect"
import { isAbsent, readPath } from "./SourcePath.js"

/** A string template (`khoros-{id}`): literal parts and `{path}` placeholders; `{{` and `}}` write braces. */
export interface Template {
  readonly text: string
  readonly parts: ReadonlyArray<{ readonly _tag: "Text"; readonly text: string } | { readonly _tag: "Field"; readonly path: string }>
}

/** Parses a template, or explains what is wrong with it. */
export const parseTemplate = (text: string): Either.Either<Template, string> => {
  const parts: Array<Template["parts"][number]> = []
  let literal = ""
  let i = 0
  while (i < text.length) {
    const char = text[i]!
    if ((char === "{" || char === "}") && text[i + 1] === char) {
      literal += char
      i += 2
      continue
    }
    if (char === "}") return Either.left(`a lone '}' at character ${i + 1}; write '}}' for a literal brace`)
    if (char === "{") {
      const end = text.indexOf("}", i)
      if (end === -1) return Either.left(`'{' at character ${i + 1} is never closed`)
      const path = text.slice(i + 1, end).trim()
      if (path === "" || path.includes("{")) return Either.left(`placeholder at character ${i + 1} must name a source field, e.g. {id}`)
      if (literal !== "") parts.push({ _tag: "Text", text: literal })
      literal = ""
      parts.push({ _tag: "Field", path })
      i = end + 1
      continue
    }
    literal += char
    i++
  }
  if (literal !== "") parts.push({ _tag: "Text", text: literal })
  return Either.right({ text, parts })
}

/** The source fields a template reads. */
export const templateFields = (template: Template): ReadonlyArray<string> =>
  template.parts.flatMap((part) => (part._tag === "Field" ? [part.path] : []))

/**
 * Fills a template from a record. A placeholder whose field is empty fails with that
 * field's path, since an identifier built from nothing would collide.
 */
export const renderTemplate = (
  template: Template,
  data: unknown
): Either.Either<string, { readonly field: string; readonly reason: string }> => {
  let out = ""
  for (const part of template.parts) {
    if (part._tag === "Text") {
      out += part.text
      continue
    }
    const value = readPath(data, part.path)
    const text = typeof value === "string" ? value.trim() : value
    if (isAbsent(text)) {
      return Either.left({ field: part.path, reason: `${part.path} is empty, so "${template.text}" cannot be filled` })
    }
    if (typeof text !== "string" && typeof text !== "number" && typeof text !== "boolean" && typeof text !== "bigint") {
      return Either.left({ field: part.path, reason: `${part.path} holds ${Array.isArray(text) ? "a list" : "an object"}, not a value for "${template.text}"` })
    }
    out += String(text)
  }
  return Either.right(out)
}
