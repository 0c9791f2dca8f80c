-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Incident" (
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
    "handling" TEXT,
    "systemId" TEXT,
    "detectedAt" DATETIME NOT NULL,
    "occurredAt" DATETIME,
    "actions" TEXT,
    "awareAt" DATETIME,
    "contact" TEXT,
    "found" TEXT,
    "damage" TEXT,
    "personal" TEXT,
    "records" INTEGER,
    "hosts" INTEGER,
    "impact" TEXT,
    "cause" TEXT,
    "plan" TEXT,
    "notified" TEXT,
    "disclosure" TEXT,
    "status" TEXT NOT NULL,
    "stage" TEXT NOT NULL DEFAULT 'quick',
    "updates" INTEGER NOT NULL DEFAULT 0,
    "updateAt" DATETIME,
    "finalAt" DATETIME,
    "exercise" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Incident" ("actions", "awareAt", "category", "cause", "confidentiality", "contact", "createdAt", "damage", "detectedAt", "disclosure", "finalAt", "fiscalYear", "found", "handling", "hosts", "id", "impact", "notified", "occurredAt", "orgId", "personal", "plan", "records", "reporterId", "severity", "share", "stage", "status", "summary", "systemId", "tlp", "updateAt", "updatedAt", "updates") SELECT "actions", "awareAt", "category", "cause", "confidentiality", "contact", "createdAt", "damage", "detectedAt", "disclosure", "finalAt", "fiscalYear", "found", "handling", "hosts", "id", "impact", "notified", "occurredAt", "orgId", "personal", "plan", "records", "reporterId", "severity", "share", "stage", "status", "summary", "systemId", "tlp", "updateAt", "updatedAt", "updates" FROM "Incident";
DROP TABLE "Incident";
ALTER TABLE "new_Incident" RENAME TO "Incident";
CREATE INDEX "Incident_orgId_createdAt_idx" ON "Incident"("orgId", "createdAt");
CREATE INDEX "Incident_createdAt_idx" ON "Incident"("createdAt");
CREATE INDEX "Incident_stage_status_idx" ON "Incident"("stage", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
