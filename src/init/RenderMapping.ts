import type { DateTimeGuess } from "./DateGuess.js"
import type { FieldGuess, MappingGuess } from "./FieldGuess.js"

/** A YAML scalar that reads back as exactly this string (JSON strings are YAML). */
export const yamlString = (text: string): string => (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(text) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(text) ? text : JSON.stringify(text))

/** The placeholder of a zone left to decide: not a zone, so `validate` refuses it at its line. */
export const zoneQuestion = "TODO: the IANA time zone these local times were written in, e.g. America/New_York"

const todoEnum = (allowed: ReadonlyArray<string>) => `TODO: one of ${allowed.join(", ")}`

const datetimeLines = (guess: DateTimeGuess, sampled: string): Array<string> => {
  const format = guess.format === undefined ? "" : `, format: ${yamlString(guess.format)}`
  if (!guess.needsZone) {
    return [
      guess.seen === 0
        ? "    # guess: the source documents its date-times as ISO 8601 with a UTC offset; a value without one is rejected"
        : `    # guess: all ${guess.seen} values seen in ${sampled} carry a UTC offset, kept as written`,
      `    datetime: {${format === "" ? "" : ` ${format.slice(2)} `}}`
    ]
  }
  return [
    guess.seen === 0
      ? "    # TODO: no value was seen: if these times carry no UTC offset, in which time zone were they written?"
      : `    # TODO: ${guess.seen - guess.withOffset} of ${guess.seen} values seen in ${sampled} have no UTC offset: in which time zone were they written?`,
    "    #   (a value with an offset keeps it; a local time in a DST gap or overlap is rejected, never guessed)",
    ...(guess.format === undefined ? [] : [`    # guess: the values read as ${guess.format}`]),
    `    datetime: { timezone: ${JSON.stringify(zoneQuestion)}${format} }`
  ]
}

const fieldLines = (field: FieldGuess, sampled: string): Array<string> => {
  const lines = [`  # guess: ${field.why}`, `  ${field.target}:`, `    from: ${yamlString(field.from)}`]
  if (field.datetime !== undefined) {
    lines.push(...datetimeLines(field.datetime, sampled))
    if (field.target === "openedAt") {
      lines.push("    # guess: a case without its opening time is rejected rather than dated the day it is migrated", "    required: true")
    }
  } else if (field.boolean === true) {
    lines.push("    type: boolean")
  } else {
    lines.push("    trim: true")
  }
  if (field.map !== undefined) {
    if (field.map.codes.length === 0) {
      lines.push(`    # TODO: no value was seen; map each source code to one of ${field.map.allowed.join(", ")}`)
      lines.push(`    map: { ${JSON.stringify("TODO: a source code")}: ${JSON.stringify(todoEnum(field.map.allowed))} }`)
    } else {
      lines.push(`    # the codes ${field.map.declared ? "the source declares" : `seen in ${sampled}`}; a code not listed here rejects the record`, "    map:")
      for (const code of field.map.codes) {
        lines.push(
          code.to === undefined
            ? `      ${JSON.stringify(code.code)}: ${JSON.stringify(todoEnum(field.map.allowed))}`
            : `      ${JSON.stringify(code.code)}: ${code.to}   # guess`
        )
      }
    }
  }
  if (field.target === "name") lines.push("    truncate: { max: 120, marker: \"…\" }   # guess: a Peach-style case name is short")
  return lines
}

/**
 * The mapping file `init` writes: every guess in a `# guess:` comment above it, and every
 * decision it cannot make as a `TODO` placed where `casesync validate` refuses it with
 * its line (a zone that is not a zone, a case type that does not exist, an enum value
 * that is not one), so nothing left open falls back to a silent default.
 */
export const renderMapping = (guess: MappingGuess, options: {
  readonly job: string
  readonly source: string
  /** How the values were seen, for the comments: `the first 200 rows`. */
  readonly sampled: string
}): string => {
  const { sampled } = options
  const lines: Array<string> = [
    `# Mapping written by \`casesync init\` from ${options.source}.`,
    "# Each \"guess\" was read from a field's name or values: check it. Each \"TODO\" is a decision",
    "# init cannot make: `casesync validate` refuses the mapping, at its line, until it is made.",
    `description: ${JSON.stringify(`Cases from ${options.source} (written by casesync init; review every guess)`)}`,
    ""
  ]
  if (guess.key === undefined) {
    lines.push(
      "# TODO: no column reads as the record's stable key: name it in both templates",
      `externalId: ${JSON.stringify(`${options.job}-{TODO_key_field}`)}`,
      `key: "{TODO_key_field}"`
    )
  } else {
    lines.push(
      `# guess: the record's stable key, ${guess.key.why}; the externalId (the idempotency key) prefixes it with the job`,
      `externalId: ${JSON.stringify(`${options.job}-{${guess.key.from}}`)}`,
      `key: ${JSON.stringify(`{${guess.key.from}}`)}`
    )
  }
  lines.push("")
  if (guess.borrower === undefined) {
    lines.push("# TODO: no column reads as the borrower: name it (externalId: the borrower's externalId; id: the target's person id)")
    lines.push("borrower:", `  externalId: "{TODO_borrower_field}"`)
  } else {
    lines.push(
      `# guess: the borrower's externalId, ${guess.borrower.why} (use id: instead if it holds the target's own person ids)`,
      "borrower:",
      `  externalId: ${JSON.stringify(`{${guess.borrower.from}}`)}`
    )
  }
  lines.push("")
  if (guess.caseType === undefined || guess.caseType.codes.length === 0) {
    lines.push(
      "# TODO: which case type of the target these cases become (`casesync validate` names the target's case types)",
      "caseType:",
      `  name: ${JSON.stringify("TODO: the target case type's name")}`
    )
  } else {
    lines.push(
      `# guess: the case type is chosen per record, ${guess.caseType.why}; the codes seen in ${sampled}`,
      "# TODO: name the target case type each code stands for (`casesync validate` names the target's case types)",
      "caseType:",
      `  from: ${yamlString(guess.caseType.from)}`,
      "  map:",
      ...guess.caseType.codes.map((code) => `    ${JSON.stringify(code)}: ${JSON.stringify(`TODO: the case type for ${code}`)}`)
    )
  }
  lines.push("", "fields:")
  if (guess.fields.length === 0) lines.push("  {}  # TODO: no field was guessed")
  for (const field of guess.fields) lines.push(...fieldLines(field, sampled))
  lines.push("")
  if (guess.unmatched.length > 0) {
    lines.push(
      "# TODO: no rule matched these source fields; map each one (customFields.<name>, metaData.<key>, …)",
      "# or move it into ignore: (`casesync validate` lists the fields still neither mapped nor ignored):",
      ...guess.unmatched.map((name) => `#   ${name}`)
    )
  }
  lines.push("ignore: []", "")
  return lines.join("\n")
}
