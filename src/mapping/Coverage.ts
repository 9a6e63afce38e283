import type { CompiledMapping } from "./CompileMapping.js"

/**
 * The source fields a mapping neither uses nor declares in `ignore:`, in the source's
 * order: what a person should look at before trusting that nothing is silently dropped.
 */
export const coverage = (compiled: CompiledMapping, sourceFields: ReadonlyArray<string>): ReadonlyArray<string> => {
  const accounted = new Set([...compiled.usedSourceFields, ...compiled.ignoredSourceFields])
  return sourceFields.filter((field) => !accounted.has(field) && !accounted.has(field.split(".")[0]!))
}
