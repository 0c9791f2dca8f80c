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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Incident" ("actions", "category", "confidentiality", "createdAt", "detectedAt", "fiscalYear", "id", "occurredAt", "orgId", "reporterId", "severity", "share", "stage", "status", "summary", "systemId", "tlp", "updatedAt") SELECT "actions", "category", "confidentiality", "createdAt", "detectedAt", "fiscalYear", "id", "occurredAt", "orgId", "reporterId", "severity", "share", "stage", "status", "summary", "systemId", "tlp", "updatedAt" FROM "Incident";
DROP TABLE "Incident";
ALTER TABLE "new_Incident" RENAME TO "Incident";
CREATE INDEX "Incident_orgId_createdAt_idx" ON "Incident"("orgId", "createdAt");
CREATE INDEX "Incident_createdAt_idx" ON "Incident"("createdAt");
CREATE INDEX "Incident_stage_status_idx" ON "Incident"("stage", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Report stages and deadline clocks (issue 17). An existing report's awareness time (認知日時) is
-- its detection time. A report updated under the old rule ("any update makes it 確報") becomes a
-- 続報 (第1報): its reporter makes it the 確報 with final=yes once the required items are filled.
UPDATE "Incident" SET "awareAt" = "detectedAt" WHERE "awareAt" IS NULL;
UPDATE "Incident" SET "stage" = 'update', "updates" = 1, "updateAt" = "updatedAt" WHERE "stage" = 'confirmed';
