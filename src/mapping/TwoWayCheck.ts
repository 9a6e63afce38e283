import type { CompileContext } from "./CompileContext.js"
import type { LookupTable } from "./Lookup.js"
import type { FieldSpec } from "./MappingSpec.js"
import type { TargetField } from "./TargetFields.js"
import { checkValue } from "./TargetFields.js"

/**
 * Refuses, at load time, a `direction: both` field whose value could not be written back
 * to the source exactly: a field not copied from one source path (const, template,
 * compute), a lossy `truncate:`, a `lookup:` whose table gives one value for several keys,
 * and a `map:` without a `reverse:` covering every value the target can hold or whose
 * reverse would not bring a mapped code back to itself.
 */
export const checkTwoWay = (
  context: CompileContext,
  spec: FieldSpec,
  targets: ReadonlyArray<TargetField>,
  table: LookupTable | undefined
): void => {
  const at = context.log.add.bind(context.log)
  const direction = spec.direction.pos
  // The messages name the direction written (`both` or `toSource`): both need the same exact way back.
  const written = `direction: ${spec.direction.value}`
  const source = spec.source
  if (source._tag !== "From") {
    const what = source._tag === "Const" ? "a constant" : source._tag === "Template" ? "a template" : "a compute expression"
    at(direction, `${written} needs a way back to one source field, but ${what} has no inverse (such fields are toTarget only)`)
  }
  if (spec.truncate !== undefined) {
    at(direction, `${written} cannot be combined with truncate: (cut text cannot be written back); drop one of them`)
  }
  if (table !== undefined && table.reverse === undefined) {
    at(
      direction,
      `${written} needs a one-to-one lookup, but ${table.file} gives the same ${table.value} to several keys (${
        table.sharedValues.slice(0, 5).join(", ")
      })`
    )
  }
  if (spec.map === undefined) return
  const reverse = spec.reverse
  if (reverse === undefined) {
    at(spec.map.pos, `${written} needs reverse: (target value -> source code) next to map:`)
    return
  }
  const back = new Map(reverse.entries.map((entry) => [entry.from, entry.to.value]))
  for (const field of targets) {
    // Every value the target can hold must have a way back: all enum values, else every mapped value.
    const targetValues = field.kind._tag === "enum"
      ? field.kind.values
      : [...new Set(spec.map.entries.map((entry) => String(entry.to.value)))]
    const missing = targetValues.filter((value) => !back.has(value))
    if (missing.length > 0) {
      at(reverse.pos, `reverse: does not cover every value of ${field.description}: missing ${missing.join(", ")}`)
    }
    for (const entry of field.kind._tag === "enum" ? reverse.entries : []) {
      const problem = checkValue(field, entry.from)
      if (problem !== undefined) at(entry.to.pos, `reverse: key '${entry.from}' is not a value of ${field.description}: ${problem}`)
    }
  }
  for (const entry of spec.map.entries) {
    const returned = back.get(String(entry.to.value))
    if (returned !== undefined && String(returned) !== entry.from) {
      at(
        entry.to.pos,
        `map: sends '${entry.from}' to '${String(entry.to.value)}', but reverse: sends that back as '${String(returned)}'; ` +
          "a round trip would change the source"
      )
    }
  }
}
