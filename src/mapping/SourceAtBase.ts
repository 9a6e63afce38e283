import { Either } from "effect"
import type { CompiledField } from "./CompileField.js"
import { isSettled } from "./Transformations.js"

/**
 * What the source maps to now if it still holds what two-way sync wrote back for a base value:
 * the value through the field's way back and forward again, for each two-way field (`both`,
 * `toSource`) of the base. Through a many-to-one map that is not the base value itself (a target's
 * `canceled` goes back as `closed`, which comes forward as `completed`): a source that maps to it
 * has not moved since the base, whatever its value means in target terms.
 */
export const sourceAtBase = (fields: ReadonlyArray<CompiledField>) => {
  const twoWay = fields.filter((field) => field.direction !== "toTarget" && field.sourcePath !== undefined)
  return (typeId: string, base: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined => {
    let found: Record<string, unknown> | undefined
    for (const field of twoWay) {
      const runner = field.runners.get(typeId)
      if (runner === undefined || !(field.target in base)) continue
      const back = runner.encode(base[field.target] ?? undefined)
      if (Either.isLeft(back)) continue
      const forward = runner.decode(back.right ?? undefined)
      if (!isSettled(forward) || Either.isLeft(forward)) continue
      ;(found ??= {})[field.target] = forward.right ?? null
    }
    return found
  }
}
