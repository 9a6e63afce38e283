import { Either } from "effect"
import type { Node } from "yaml"
import type {
  BorrowerSpec,
  CaseTypeSpec,
  DatetimeSpec,
  Direction,
  FieldSource,
  FieldSpec,
  LookupSpec,
  MappingSpec,
  MapSpec,
  Scalar,
  TruncateSpec,
  ValueType
} from "./MappingSpec.js"
import { valueTypes } from "./MappingSpec.js"
import {
  booleanOf,
  checkKnownKeys,
  describe,
  type Entry,
  entriesOf,
  IssueLog,
  jsValueOf,
  type Located,
  parseYaml,
  positionOf,
  type Pos,
  scalarOf,
  stringListOf,
  stringOf,
  type YamlSource
} from "./PositionedYaml.js"
import { parseTemplate, type Template } from "./Template.js"

/** Top-level keys of a mapping file. */
export const topLevelKeys = ["description", "externalId", "key", "borrower", "caseType", "fields", "ignore"] as const

/** Keys that say where a field's value comes from; a field uses exactly one. */
export const sourceKeys = ["from", "const", "template", "compute"] as const

/** Every key a field may use: one source and any of the transformations. */
export const transformationKeys = [
  ...sourceKeys,
  "trim",
  "required",
  "default",
  "map",
  "reverse",
  "lookup",
  "type",
  "datetime",
  "truncate",
  "direction",
  "onlyFor"
] as const

/**
 * Reads mapping YAML into a positioned `MappingSpec`, checking its shape: YAML syntax,
 * unknown keys, values of the wrong kind, contradictory transformations. Every problem
 * goes to `log`; the spec is `undefined` when the file is too broken to go further.
 */
export const readMappingFile = (text: string, log: IssueLog): MappingSpec | undefined => {
  const yaml = parseYaml(text, log)
  if (yaml === undefined) return undefined
  const root = yaml.document.contents as Node | null
  const entries = entriesOf(yaml, root, positionOf(yaml, root, ""), "the mapping file")
  if (entries === undefined) return undefined
  checkKnownKeys(yaml, entries, topLevelKeys, "top-level key")
  const get = (key: string) => entries.find((entry) => entry.key === key)
  const top: Pos = { line: 1, column: 1, path: "" }

  const externalIdEntry = get("externalId")
  if (externalIdEntry === undefined) log.add(top, "missing externalId: the template of the idempotency key, e.g. \"legacy-{case_id}\"")
  const externalId = externalIdEntry && templateOf(yaml, externalIdEntry, "externalId")
  const keyEntry = get("key")
  const key = keyEntry && templateOf(yaml, keyEntry, "key")

  const borrowerEntry = get("borrower")
  if (borrowerEntry === undefined) log.add(top, "missing borrower: how the case's borrower is found")
  const borrower = borrowerEntry && readBorrower(yaml, borrowerEntry)

  const caseTypeEntry = get("caseType")
  if (caseTypeEntry === undefined) log.add(top, "missing caseType: which case type the records become")
  const caseType = caseTypeEntry && readCaseType(yaml, caseTypeEntry)

  const fieldsEntry = get("fields")
  if (fieldsEntry === undefined) log.add(top, "missing fields: the target fields and how they are filled")
  const fieldEntries = fieldsEntry && entriesOf(yaml, fieldsEntry.node, fieldsEntry.pos, "fields")
  const fields = (fieldEntries ?? []).flatMap((entry) => {
    const field = readField(yaml, entry)
    return field === undefined ? [] : [field]
  })

  const ignoreEntry = get("ignore")
  const ignore = ignoreEntry === undefined ? [] : (stringListOf(yaml, ignoreEntry, "ignore") ?? [])
  const descriptionEntry = get("description")
  const description = descriptionEntry && stringOf(yaml, descriptionEntry, "description")?.value

  if (externalId === undefined || borrower === undefined || caseType === undefined || fieldEntries === undefined) {
    return undefined
  }
  return { description, externalId, key, borrower, caseType, fields, ignore }
}

// == identity: templates, borrower, case type

const templateOf = (yaml: YamlSource, entry: Entry, what: string): Located<Template> | undefined => {
  const text = stringOf(yaml, entry, what)
  if (text === undefined) return undefined
  const parsed = parseTemplate(text.value)
  if (Either.isLeft(parsed)) {
    yaml.log.add(entry.pos, `${what}: template ${JSON.stringify(text.value)}: ${parsed.left}`)
    return undefined
  }
  return { value: parsed.right, pos: entry.pos }
}

const readBorrower = (yaml: YamlSource, entry: Entry): BorrowerSpec | undefined => {
  const entries = entriesOf(yaml, entry.node, entry.pos, "borrower")
  if (entries === undefined) return undefined
  checkKnownKeys(yaml, entries, ["externalId", "id", "from", "lookup", "as"], "borrower key")
  const get = (key: string) => entries.find((e) => e.key === key)
  const templates = (["externalId", "id"] as const).filter((key) => get(key) !== undefined)
  const lookupEntry = get("lookup")
  if (templates.length + (lookupEntry === undefined ? 0 : 1) !== 1) {
    yaml.log.add(entry.pos, "borrower needs exactly one of externalId: \"{field}\", id: \"{field}\" or lookup: {file, key, value} with from:")
    return undefined
  }
  if (lookupEntry === undefined) {
    const as = templates[0]!
    const template = templateOf(yaml, get(as)!, `borrower.${as}`)
    return template && { _tag: "Template", as, template }
  }
  const fromEntry = get("from")
  if (fromEntry === undefined) yaml.log.add(lookupEntry.keyPos, "borrower lookup needs from: the source field whose value is looked up")
  const from = fromEntry && stringOf(yaml, fromEntry, "borrower.from")
  const lookup = readLookup(yaml, lookupEntry)
  const asEntry = get("as")
  const asValue = asEntry === undefined ? "id" : scalarOf(asEntry.node)
  if (asValue !== "id" && asValue !== "externalId") {
    yaml.log.add(asEntry!.pos, `borrower.as must be id (the table gives Peach person ids) or externalId, not ${describe(asEntry!.node)}`)
    return undefined
  }
  return from && lookup && { _tag: "Lookup", from, lookup, as: asValue, pos: entry.pos }
}

const readCaseType = (yaml: YamlSource, entry: Entry): CaseTypeSpec | undefined => {
  const shorthand = scalarOf(entry.node)
  if (typeof shorthand === "string") return { _tag: "Name", name: { value: shorthand, pos: entry.pos } }
  const entries = entriesOf(yaml, entry.node, entry.pos, "caseType")
  if (entries === undefined) return undefined
  checkKnownKeys(yaml, entries, ["name", "id", "base", "from", "map"], "caseType key")
  const get = (key: string) => entries.find((e) => e.key === key)
  const chosen = (["name", "id", "base", "from"] as const).filter((key) => get(key) !== undefined)
  if (chosen.length !== 1) {
    yaml.log.add(entry.pos, "caseType needs exactly one of name:, id:, base: or from: with map:")
    return undefined
  }
  const which = chosen[0]!
  const value = stringOf(yaml, get(which)!, `caseType.${which}`)
  if (value === undefined) return undefined
  if (which !== "from") {
    if (get("map") !== undefined) yaml.log.add(get("map")!.keyPos, "caseType.map goes with caseType.from")
    return which === "name"
      ? { _tag: "Name", name: value }
      : which === "id"
      ? { _tag: "Id", id: value }
      : { _tag: "Base", base: value }
  }
  const mapEntry = get("map")
  if (mapEntry === undefined) {
    yaml.log.add(entry.pos, "caseType.from needs map: source code -> case type name")
    return undefined
  }
  const map = readMap(yaml, mapEntry, "caseType.map")
  return map && { _tag: "FromMap", from: value, map, pos: entry.pos }
}

// == fields

const readField = (yaml: YamlSource, entry: Entry): FieldSpec | undefined => {
  const target: Located<string> = { value: entry.key, pos: entry.keyPos }
  const shorthand = scalarOf(entry.node)
  if (typeof shorthand === "string" && shorthand !== "") {
    // `name: subject` is short for `name: { from: subject }`.
    return emptyField(target, { _tag: "From", path: { value: shorthand, pos: entry.pos } }, entry.pos)
  }
  const entries = entriesOf(yaml, entry.node, entry.pos, `field ${entry.key}`)
  if (entries === undefined) return undefined
  checkKnownKeys(yaml, entries, transformationKeys, "transformation")
  const get = (key: string) => entries.find((e) => e.key === key)
  const sources = sourceKeys.filter((key) => get(key) !== undefined)
  if (sources.length !== 1) {
    yaml.log.add(
      entry.keyPos,
      sources.length === 0
        ? `field ${entry.key} needs one of from:, const:, template: or compute:`
        : `field ${entry.key} has ${sources.join(" and ")}; use exactly one source`
    )
  }
  const source = sources.length === 1 ? readSource(yaml, sources[0]!, get(sources[0]!)!) : undefined
  const trimEntry = get("trim")
  const requiredEntry = get("required")
  const defaultEntry = get("default")
  const mapEntry = get("map")
  const reverseEntry = get("reverse")
  const typeEntry = get("type")
  const datetimeEntry = get("datetime")
  const directionEntry = get("direction")
  const onlyForEntry = get("onlyFor")
  const lookupEntry = get("lookup")
  const truncateEntry = get("truncate")
  const field: FieldSpec = {
    target,
    source: source ?? { _tag: "Const", value: { value: null, pos: entry.pos } },
    trim: trimEntry === undefined ? false : (booleanOf(yaml, trimEntry, "trim")?.value ?? false),
    required: requiredEntry && booleanOf(yaml, requiredEntry, "required"),
    default: defaultEntry && scalarValueOf(yaml, defaultEntry, "default"),
    map: mapEntry && readMap(yaml, mapEntry, "map"),
    reverse: reverseEntry && readMap(yaml, reverseEntry, "reverse"),
    lookup: lookupEntry && readLookup(yaml, lookupEntry),
    type: typeEntry && readValueType(yaml, typeEntry),
    datetime: datetimeEntry && readDatetime(yaml, datetimeEntry),
    truncate: truncateEntry && readTruncate(yaml, truncateEntry),
    direction: directionEntry === undefined ? { value: "toTarget", pos: entry.keyPos } : readDirection(yaml, directionEntry),
    onlyFor: onlyForEntry && stringListOf(yaml, onlyForEntry, "onlyFor"),
    pos: entry.keyPos
  }
  if (reverseEntry !== undefined && mapEntry === undefined) yaml.log.add(reverseEntry.keyPos, "reverse: goes with map:")
  if (typeEntry !== undefined && datetimeEntry !== undefined) {
    yaml.log.add(typeEntry.keyPos, "type: and datetime: cannot be combined; datetime: already makes a date-time")
  }
  if (field.required?.value === true && defaultEntry !== undefined) {
    yaml.log.add(defaultEntry.keyPos, "required: true and default: contradict each other; keep one")
  }
  return source === undefined ? undefined : field
}

const emptyField = (target: Located<string>, source: FieldSource, pos: Pos): FieldSpec => ({
  target,
  source,
  trim: false,
  required: undefined,
  default: undefined,
  map: undefined,
  reverse: undefined,
  lookup: undefined,
  type: undefined,
  datetime: undefined,
  truncate: undefined,
  direction: { value: "toTarget", pos },
  onlyFor: undefined,
  pos
})

const readSource = (yaml: YamlSource, key: (typeof sourceKeys)[number], entry: Entry): FieldSource | undefined => {
  switch (key) {
    case "from": {
      const path = stringOf(yaml, entry, "from")
      return path && { _tag: "From", path }
    }
    case "const":
      return { _tag: "Const", value: { value: jsValueOf(yaml, entry.node), pos: entry.pos } }
    case "template": {
      const template = templateOf(yaml, entry, "template")
      return template && { _tag: "Template", template }
    }
    case "compute": {
      const expression = stringOf(yaml, entry, "compute")
      return expression && { _tag: "Compute", expression }
    }
  }
}

const scalarValueOf = (yaml: YamlSource, entry: Entry, what: string): Located<Scalar> | undefined => {
  const value = scalarOf(entry.node)
  if (value !== undefined) return { value, pos: entry.pos }
  yaml.log.add(entry.pos, `${what} must be a plain value, not ${describe(entry.node)}`)
  return undefined
}

const readMap = (yaml: YamlSource, entry: Entry, what: string): MapSpec | undefined => {
  const entries = entriesOf(yaml, entry.node, entry.pos, what)
  if (entries === undefined) return undefined
  if (entries.length === 0) yaml.log.add(entry.pos, `${what} is empty`)
  const mapped = entries.flatMap((e) => {
    const to = scalarValueOf(yaml, e, `${what} value for '${e.key}'`)
    return to === undefined ? [] : [{ from: e.key, to }]
  })
  return { entries: mapped, pos: entry.pos }
}

const readLookup = (yaml: YamlSource, entry: Entry): LookupSpec | undefined => {
  const entries = entriesOf(yaml, entry.node, entry.pos, "lookup")
  if (entries === undefined) return undefined
  checkKnownKeys(yaml, entries, ["file", "key", "value"], "lookup key")
  const part = (key: string) => {
    const found = entries.find((e) => e.key === key)
    if (found === undefined) yaml.log.add(entry.pos, `lookup needs ${key}:`)
    return found && stringOf(yaml, found, `lookup.${key}`)
  }
  const file = part("file")
  const key = part("key")
  const value = part("value")
  return file && key && value && { file, key, value, pos: entry.pos }
}

const readValueType = (yaml: YamlSource, entry: Entry): Located<ValueType> | undefined => {
  const value = scalarOf(entry.node)
  if (typeof value === "string" && (valueTypes as ReadonlyArray<string>).includes(value)) {
    return { value: value as ValueType, pos: entry.pos }
  }
  yaml.log.add(entry.pos, `type must be one of ${valueTypes.join(", ")}, not ${describe(entry.node)}`)
  return undefined
}

const readDatetime = (yaml: YamlSource, entry: Entry): DatetimeSpec | undefined => {
  if (scalarOf(entry.node) === null || scalarOf(entry.node) === true) {
    return { timezone: undefined, format: undefined, pos: entry.pos }
  }
  const entries = entriesOf(yaml, entry.node, entry.pos, "datetime")
  if (entries === undefined) return undefined
  checkKnownKeys(yaml, entries, ["timezone", "format"], "datetime option")
  const timezoneEntry = entries.find((e) => e.key === "timezone")
  const formatEntry = entries.find((e) => e.key === "format")
  return {
    timezone: timezoneEntry && stringOf(yaml, timezoneEntry, "datetime.timezone"),
    format: formatEntry && stringOf(yaml, formatEntry, "datetime.format"),
    pos: entry.pos
  }
}

const readTruncate = (yaml: YamlSource, entry: Entry): TruncateSpec | undefined => {
  const positive = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value > 0
  const short = scalarOf(entry.node)
  if (positive(short)) return { max: short, marker: "", pos: entry.pos }
  if (short !== undefined) {
    yaml.log.add(entry.pos, `truncate must be a positive whole number or { max, marker }, not ${describe(entry.node)}`)
    return undefined
  }
  const entries = entriesOf(yaml, entry.node, entry.pos, "truncate")
  if (entries === undefined) return undefined
  checkKnownKeys(yaml, entries, ["max", "marker"], "truncate option")
  const maxEntry = entries.find((e) => e.key === "max")
  const max = maxEntry && scalarOf(maxEntry.node)
  if (!positive(max)) {
    yaml.log.add(maxEntry?.pos ?? entry.pos, "truncate.max must be a positive whole number")
    return undefined
  }
  const markerEntry = entries.find((e) => e.key === "marker")
  const marker = markerEntry === undefined ? "" : scalarOf(markerEntry.node)
  if (typeof marker !== "string") {
    yaml.log.add(markerEntry!.pos, "truncate.marker must be a text")
    return undefined
  }
  if (marker.length >= max) {
    yaml.log.add(markerEntry!.pos, `truncate.marker is ${marker.length} characters, which leaves no room under max ${max}`)
    return undefined
  }
  return { max, marker, pos: entry.pos }
}

const readDirection = (yaml: YamlSource, entry: Entry): Located<Direction> => {
  const value = scalarOf(entry.node)
  if (value === "toTarget" || value === "both" || value === "toSource") return { value, pos: entry.pos }
  yaml.log.add(entry.pos, `direction must be toTarget or both (or toSource, for a field the target owns), not ${describe(entry.node)}`)
  return { value: "toTarget", pos: entry.pos }
}
