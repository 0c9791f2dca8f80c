-- CreateTable
CREATE TABLE "Advisory" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fiscalYear" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "tlp" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "recipients" TEXT,
    "status" TEXT NOT NULL,
    "drafterId" INTEGER NOT NULL,
    "approverId" INTEGER,
    "reason" TEXT,
    "submittedAt" DATETIME,
    "approvedAt" DATETIME,
    "targets" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AdvisorySource" (
    "advisoryId" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,
    "orgId" INTEGER NOT NULL,
    "consent" TEXT NOT NULL,
    "share" TEXT NOT NULL,
    "decidedBy" INTEGER,
    "decidedAt" DATETIME,

    PRIMARY KEY ("advisoryId", "incidentId"),
    CONSTRAINT "AdvisorySource_advisoryId_fkey" FOREIGN KEY ("advisoryId") REFERENCES "Advisory" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AdvisoryAck" (
    "advisoryId" TEXT NOT NULL,
    "orgId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("advisoryId", "orgId"),
    CONSTRAINT "AdvisoryAck_advisoryId_fkey" FOREIGN KEY ("advisoryId") REFERENCES "Advisory" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Organization" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "nameJa" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "coordinator" BOOLEAN NOT NULL DEFAULT false,
    "calendarToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "OrgChannel" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "orgId" INTEGER NOT NULL,
    "platform" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "name" TEXT,
    CONSTRAINT "OrgChannel_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Person" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "identity" TEXT NOT NULL,
    "displayName" TEXT,
    "orgId" INTEGER,
    "locale" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Person_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RoleGrant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "position" TEXT,
    CONSTRAINT "RoleGrant_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Counter" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "AuditRecord" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "AuditHead" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Delivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" DATETIME NOT NULL,
    "claimedBy" TEXT,
    "claimedAt" DATETIME,
    "claimExpires" DATETIME,
    "messageRef" TEXT,
    "updatesId" TEXT,
    "error" TEXT,
    "refType" TEXT,
    "refId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "claimedBy" TEXT,
    "claimExpires" DATETIME,
    "firedAt" DATETIME,
    "refType" TEXT,
    "refId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SeenRequest" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fiscalYear" INTEGER NOT NULL,
    "orgId" INTEGER NOT NULL,
    "reporterId" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "tlp" TEXT NOT NULL,
    "share" TEXT NOT NULL,
    "confidentiality" INTEGER,
    "systemId" TEXT,
    "detectedAt" DATETIME NOT NULL,
    "occurredAt" DATETIME,
    "actions" TEXT,
    "status" TEXT NOT NULL,
    "stage" TEXT NOT NULL DEFAULT 'quick',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "IncidentEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "incidentId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    CONSTRAINT "IncidentEvent_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Indicator" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "type" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "IncidentIndicator" (
    "incidentId" TEXT NOT NULL,
    "indicatorId" INTEGER NOT NULL,
    "orgId" INTEGER NOT NULL,
    "addedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("incidentId", "indicatorId"),
    CONSTRAINT "IncidentIndicator_incidentId_fkey" FOREIGN KEY ("incidentId") REFERENCES "Incident" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "IncidentIndicator_indicatorId_fkey" FOREIGN KEY ("indicatorId") REFERENCES "Indicator" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "System" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "confidentiality" INTEGER NOT NULL,
    "exposure" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fiscalYear" INTEGER NOT NULL,
    "catalogVersion" INTEGER NOT NULL,
    "dueDate" DATETIME NOT NULL,
    "audience" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdBy" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" DATETIME
);

-- CreateTable
CREATE TABLE "CheckAnswer" (
    "campaignId" TEXT NOT NULL,
    "systemId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "orgId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "planned" DATETIME,
    "cost" INTEGER,
    "note" TEXT,
    "answeredBy" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("campaignId", "systemId", "itemId"),
    CONSTRAINT "CheckAnswer_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CsirtReadiness" (
    "orgId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "established" DATETIME,
    "primaryId" INTEGER,
    "deputyId" INTEGER,
    "contact" TEXT,
    "hours" TEXT,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CsirtReadiness_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Meeting" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fiscalYear" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "startAt" DATETIME NOT NULL,
    "durationMin" INTEGER NOT NULL,
    "place" TEXT,
    "url" TEXT,
    "agenda" TEXT,
    "invite" TEXT NOT NULL,
    "reminders" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "createdBy" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MeetingRsvp" (
    "meetingId" TEXT NOT NULL,
    "orgId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "answer" TEXT NOT NULL,
    "proxy" TEXT,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("meetingId", "orgId"),
    CONSTRAINT "MeetingRsvp_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "Meeting" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Advisory_status_idx" ON "Advisory"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Organization_code_key" ON "Organization"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Organization_calendarToken_key" ON "Organization"("calendarToken");

-- CreateIndex
CREATE UNIQUE INDEX "OrgChannel_orgId_platform_key" ON "OrgChannel"("orgId", "platform");

-- CreateIndex
CREATE UNIQUE INDEX "Person_identity_key" ON "Person"("identity");

-- CreateIndex
CREATE UNIQUE INDEX "RoleGrant_personId_role_key" ON "RoleGrant"("personId", "role");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_dedupeKey_key" ON "Delivery"("dedupeKey");

-- CreateIndex
CREATE INDEX "Delivery_status_notBefore_idx" ON "Delivery"("status", "notBefore");

-- CreateIndex
CREATE INDEX "Delivery_refType_refId_idx" ON "Delivery"("refType", "refId");

-- CreateIndex
CREATE INDEX "Job_status_dueAt_idx" ON "Job"("status", "dueAt");

-- CreateIndex
CREATE INDEX "Job_refType_refId_idx" ON "Job"("refType", "refId");

-- CreateIndex
CREATE INDEX "SeenRequest_expiresAt_idx" ON "SeenRequest"("expiresAt");

-- CreateIndex
CREATE INDEX "Incident_orgId_createdAt_idx" ON "Incident"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "Incident_createdAt_idx" ON "Incident"("createdAt");

-- CreateIndex
CREATE INDEX "IncidentEvent_incidentId_id_idx" ON "IncidentEvent"("incidentId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Indicator_value_key" ON "Indicator"("value");

-- CreateIndex
CREATE INDEX "IncidentIndicator_indicatorId_orgId_idx" ON "IncidentIndicator"("indicatorId", "orgId");

-- CreateIndex
CREATE INDEX "System_orgId_idx" ON "System"("orgId");

-- CreateIndex
CREATE INDEX "CheckAnswer_campaignId_orgId_idx" ON "CheckAnswer"("campaignId", "orgId");

-- CreateIndex
CREATE INDEX "Meeting_startAt_idx" ON "Meeting"("startAt");
