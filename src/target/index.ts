/** The typed client of the Peach-style case API that casesync writes to. */
export * from "./CursorPages.js"
export * from "./PeachCases.js"
export * from "./PeachCaseTypes.js"
export * from "./PeachClient.js"
export * from "./PeachClientConfig.js"
export * from "./PeachErrorBody.js"
export * from "./PeachPaths.js"
export * from "./PeachPeople.js"
