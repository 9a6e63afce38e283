import { CaseOutcome, CaseStatus } from "../domain/peach/Enums.js"
import { dateTimeGuess, type DateTimeGuess } from "./DateGuess.js"

/**
 * What `casesync init` knows about one source field: its name, some of its values (the
 * first rows of a CSV; none for the CRM) and what the CRM's meta says about it, if anything.
 */
export interface SourceField {
  readonly name: string
  readonly samples: ReadonlyArray<string>
  /** From the CRM: documented as a date-time, a checkbox, or a list with these stored values. */
  readonly declared?: { readonly _tag: "DateTime" } | { readonly _tag: "Boolean" } | { readonly _tag: "List"; readonly values: ReadonlyArray<string> } | undefined
}

/** A code of an enum-like source field and the target value guessed for it (undefined: left to decide). */
export interface CodeGuess {
  readonly code: string
  readonly to: string | undefined
}

/** One target field guessed for a source field, with why, for the comment above it. */
export interface FieldGuess {
  readonly target: string
  readonly from: string
  readonly why: string
  readonly datetime?: DateTimeGuess | undefined
  readonly boolean?: boolean | undefined
  /** For an enum target: the codes seen and their guessed values, and the values the target allows. */
  readonly map?: {
    readonly codes: ReadonlyArray<CodeGuess>
    readonly allowed: ReadonlyArray<string>
    /** The codes are the ones the source declares (CRM), not the ones seen in its first rows. */
    readonly declared: boolean
  } | undefined
}

/** A column guessed for one of the mapping's own keys (the source key, the borrower, the case type). */
export interface ColumnGuess {
  readonly from: string
  readonly why: string
}

/** Everything `init` guessed, and what it could not: the mapping's skeleton as data. */
export interface MappingGuess {
  readonly key: ColumnGuess | undefined
  readonly borrower: ColumnGuess | undefined
  /** The column that picks the case type per record, with the codes seen in it. */
  readonly caseType: (ColumnGuess & { readonly codes: ReadonlyArray<string> }) | undefined
  readonly fields: ReadonlyArray<FieldGuess>
  /** Source fields no rule matched: mapped, or declared in `ignore:`, by a person. */
  readonly unmatched: ReadonlyArray<string>
}

/** `Case_ID`, `case id` and `caseId` all read as `caseid`. */
export const normalize = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, "")

/** `created_at` → `createdAt`, for metaData keys. */
export const camelCase = (name: string): string => {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== "")
  return words.map((word, i) => (i === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1))).join("") || "field"
}

// == the rules: normalised names, most specific first

const keyNames = ["caseid", "casenumber", "caseno", "ticketid", "id"]
const borrowerNames = ["borrowerref", "borrowerid", "borrowerexternalid", "borrower", "customerid", "customerref", "customer", "personid", "clientid"]
const caseTypeNames = ["casetype", "casetypecode", "type", "category"]

interface TargetRule {
  readonly target: string
  readonly names: ReadonlyArray<string>
  readonly datetime?: boolean
  readonly allowed?: ReadonlyArray<string>
}

const targetRules: ReadonlyArray<TargetRule> = [
  { target: "name", names: ["subject", "title", "name", "summary", "casename"] },
  { target: "status", names: ["status", "casestatus", "state"], allowed: CaseStatus.literals },
  { target: "outcome", names: ["outcome", "resolution", "caseoutcome"], allowed: CaseOutcome.literals },
  { target: "openedAt", names: ["openedat", "opened", "createdat", "created", "opendate", "createddate", "createdon", "dateopened"], datetime: true },
  { target: "escalatedAt", names: ["escalatedat", "escalateddate", "escalatedon"], datetime: true }
]

/** Codes read as these target values; every such guess is marked as one in the mapping. */
const synonyms: Readonly<Record<string, string>> = {
  open: "initiated",
  new: "initiated",
  opened: "initiated",
  inprogress: "processing",
  pending: "processing",
  working: "processing",
  closed: "completed",
  resolved: "completed",
  done: "completed",
  cancelled: "canceled",
  approve: "approved",
  deny: "denied",
  falsepos: "falsePositive",
  none: "noOutcome",
  nooutcome: "noOutcome"
}

/** `closed_at`, `due date`, `resolvedOn`, `date_closed`: a name that says date-time (for a field with no value seen). */
export const dateLikeName = (name: string): boolean =>
  /(^|[_\s-])(at|date|time|on)$/i.test(name) || /[a-z](At|Date|Time|On)$/.test(name) ||
  /^(date|time)([_\s-]|$)/i.test(name) || /^(date|time)[A-Z]/.test(name)

/** The target value a code most likely means, among `allowed`; undefined when no rule says. */
export const guessCode = (code: string, allowed: ReadonlyArray<string>): string | undefined => {
  const n = normalize(code)
  const exact = allowed.find((value) => normalize(value) === n)
  if (exact !== undefined) return exact
  const synonym = synonyms[n]
  return synonym !== undefined && allowed.includes(synonym) ? synonym : undefined
}

/** The distinct non-empty trimmed values, in order of first appearance. */
export const distinctCodes = (samples: ReadonlyArray<string>): ReadonlyArray<string> =>
  Array.from(new Set(samples.map((value) => value.trim()).filter((value) => value !== "")))

const firstNamed = (fields: ReadonlyArray<SourceField>, names: ReadonlyArray<string>, taken: ReadonlySet<string>) => {
  for (const name of names) {
    const found = fields.find((field) => !taken.has(field.name) && normalize(field.name) === name)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * Guesses a mapping from the source's fields: the key, borrower and case-type columns and
 * the case fields by name; date-times by name or by their values (with the zone left to
 * decide when the values carry no offset); other date-like columns kept as `metaData`.
 */
export const guessMapping = (fields: ReadonlyArray<SourceField>): MappingGuess => {
  const taken = new Set<string>()
  const take = (field: SourceField | undefined) => {
    if (field !== undefined) taken.add(field.name)
    return field
  }
  const key = take(firstNamed(fields, keyNames, taken))
  const borrower = take(firstNamed(fields, borrowerNames, taken))
  const caseType = take(firstNamed(fields, caseTypeNames, taken))
  const guessed: Array<FieldGuess> = []
  for (const rule of targetRules) {
    const field = take(firstNamed(fields, rule.names, taken))
    if (field === undefined) continue
    const codes = field.declared?._tag === "List" ? field.declared.values : distinctCodes(field.samples)
    guessed.push({
      target: rule.target,
      from: field.name,
      why: `by its name, '${field.name}'`,
      datetime: rule.datetime ? dateTimeGuess(field.samples, field.declared?._tag === "DateTime") : undefined,
      map: rule.allowed === undefined
        ? undefined
        : {
          codes: codes.map((code) => ({ code, to: guessCode(code, rule.allowed!) })),
          allowed: rule.allowed,
          declared: field.declared?._tag === "List"
        }
    })
  }
  // Other date-times and checkboxes: their values are worth keeping, and their form is known.
  for (const field of fields) {
    if (taken.has(field.name)) continue
    const isDate = field.declared?._tag === "DateTime" || dateTimeGuess(field.samples, false).looksLikeDateTime ||
      (field.samples.every((value) => value.trim() === "") && dateLikeName(field.name))
    if (isDate) {
      take(field)
      guessed.push({
        target: `metaData.${camelCase(field.name)}`,
        from: field.name,
        why: `a date-time (by its ${field.declared?._tag === "DateTime" ? "declaration" : field.samples.some((v) => v.trim() !== "") ? "values" : "name"}), kept as metaData`,
        datetime: dateTimeGuess(field.samples, field.declared?._tag === "DateTime")
      })
    } else if (field.declared?._tag === "Boolean") {
      take(field)
      guessed.push({ target: `metaData.${camelCase(field.name)}`, from: field.name, why: "a checkbox, kept as metaData", boolean: true })
    }
  }
  return {
    key: key && { from: key.name, why: `by its name, '${key.name}'` },
    borrower: borrower && { from: borrower.name, why: `by its name, '${borrower.name}'` },
    caseType: caseType && { from: caseType.name, why: `by its name, '${caseType.name}'`, codes: distinctCodes(caseType.samples) },
    fields: guessed,
    unmatched: fields.filter((field) => !taken.has(field.name)).map((field) => field.name)
  }
}
