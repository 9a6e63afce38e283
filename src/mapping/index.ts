/** Declarative mappings: YAML files compiled into Effect Schemas from source records to Peach-style cases. */
export { type CompiledMapping, compileMapping, loadMapping, type MappingOptions, type TwoWayField } from "./CompileMapping.js"
export { coverage } from "./Coverage.js"
export { formatIssue, MappingIssue, MappingLoadError } from "./MappingLoadError.js"
export {
  BorrowerRef,
  MappedCase,
  MappedData,
  MappingEncodeError,
  type MappingResult,
  SourceData,
  type SourcePatch
} from "./RecordMapping.js"
export { Rejection, rejectUnreadable, wholeRecord } from "./Rejection.js"
