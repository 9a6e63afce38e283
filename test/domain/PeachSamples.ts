/**
 * Wire-format samples shaped exactly like the seeds' examples (seed 000 list item /
 * seed 001 every field), with realistic values, for schema and client tests.
 */

const agent = {
  id: "UR-AGNT-0001",
  name: "Abigail Smith",
  userType: "agent",
  descriptor: "Agent bob@acme.com",
  employee: { id: "EM-AGNT-0001" }
}

/** A case with every field seed 001 lists, bankruptcy keyword fields included. */
export const fullCaseJson = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "CS-AB12-CD34",
  createdAt: "2019-08-24T14:15:22Z",
  updatedAt: "2019-08-24T14:15:22Z",
  deletedAt: null,
  object: "case",
  externalId: "CRM-1001",
  people: ["BO-UJZD-E8GX"],
  borrowerIds: ["BO-UJZD-E8GX"],
  name: "Chapter 7 filing",
  companyId: "CP-SAND-B0X1",
  caseTypeMeta: { base: "bankruptcy", id: "101", name: "Bankruptcy", derivedFromTypeId: null, version: 2 },
  creationProcedure: "automatedBankruptcyDetection",
  createdByUser: agent,
  owningEmployeeId: "EM-AGNT-0001",
  autoCreated: true,
  status: "initiated",
  statusUpdatedAt: "2019-08-24T14:15:22Z",
  statusUpdatedBy: agent,
  outcome: "approved",
  outcomeUpdatedAt: "2019-08-24T14:15:22+02:00",
  outcomeUpdatedBy: { ...agent, userType: "service", employee: null },
  snoozedAt: "2019-08-24T14:15:22Z",
  snoozedUntil: "2019-08-31",
  matchToDataSource: true,
  matchDetails: {
    ssnMatch: "match",
    last4SSNMatch: "match",
    nameMatch: "partialMatch",
    addressMatch: "noMatch",
    dateOfBirthMatch: "notApplicable",
    matchDoneBy: "dataVendor",
    externalMatchCode: "PACER-77"
  },
  lenderAck: false,
  customFields: { legacyPriority: "high" },
  metaData: { source: "crm" },
  workflowId: "WF-0001",
  escalatedAt: "2019-08-24T14:15:22Z",
  escalatedTeamId: "TM-0001",
  escalatedEmployeeId: "EM-AGNT-0002",
  escalationIsUrgent: true,
  associations: [{ objectType: "document", objectId: "DD-0001" }],
  creatingSupercaseId: null,
  lastViewedAt: "2019-08-24T14:15:22Z",
  lastViewedBy: agent,
  lastSubresourceUpdatedAt: "2019-08-24T14:15:22Z",
  lastSubresourceUpdatedBy: agent,
  openedAt: "2017-03-10T08:15:00-05:00",
  owningEmployee: { id: "EM-AGNT-0001", displayName: "Abigail Smith", twilioWorkerSid: "WK123" },
  caseType: "bankruptcy",
  courtCaseFiledDate: "2019-08-24",
  courtCaseNumber: "19-12345",
  courtCaseChapter: "chapter7",
  courtCaseDebtorDisposition: "dismissed",
  courtCaseDebtorDispositionDate: "2019-08-24",
  courtCaseLastStatus: "filed",
  courtCaseLastStatusUpdatedDate: "2019-08-24",
  courtCaseClosedDate: "2019-08-24",
  creditorClaimDeadlineDate: "2019-08-24",
  anticipatedCaseCompletionDate: "2019-08-24",
  listedOutstandingDebt: true,
  typeId: "101",
  ...overrides
})

/** A case type version shaped like seed 002's response. */
export const caseTypeJson = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "101",
  createdAt: "2019-08-24T14:15:22Z",
  updatedAt: null,
  deletedAt: null,
  caseType: "bankruptcy",
  name: "Bankruptcy",
  description: "Borrower filed for bankruptcy",
  status: "active",
  version: 2,
  derivedFromTypeId: null,
  loanTypeId: null,
  workflowTypeId: null,
  customFieldSchemas: [
    { name: "legacyPriority", type: "enum", values: ["low", "high"], required: false },
    { name: "legacyNote", type: "string", maxLength: 200 }
  ],
  smartReviews: null,
  ...overrides
})

/** A borrower as `GET /people/{id}` returns it. */
export const personJson = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "BO-UJZD-E8GX",
  object: "person",
  externalId: "BRW-1001",
  name: "Grace Johnson",
  createdAt: "2019-01-10T10:00:00Z",
  ...overrides
})
