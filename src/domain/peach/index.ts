/** The Peach-style case and case-type API contract (seeds 000–002), written once. */
export * from "./Case.js"
export * from "./CaseType.js"
export * from "./Envelope.js"
export * from "./Enums.js"
export * from "./Person.js"
export * from "./Primitives.js"
