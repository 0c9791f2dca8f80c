-- AlterTable
ALTER TABLE "Incident" ADD COLUMN "handling" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Advisory" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fiscalYear" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "tlp" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'warning',
    "confidentiality" INTEGER,
    "handling" TEXT,
    "audience" TEXT NOT NULL,
    "recipients" TEXT,
    "status" TEXT NOT NULL,
    "drafterId" INTEGER NOT NULL,
    "approverId" INTEGER,
    "reason" TEXT,
    "endedBy" TEXT,
    "submittedAt" DATETIME,
    "approvedAt" DATETIME,
    "targets" TEXT,
    "sentAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Advisory" ("approvedAt", "approverId", "audience", "body", "createdAt", "drafterId", "fiscalYear", "id", "reason", "recipients", "sentAt", "severity", "status", "submittedAt", "targets", "title", "tlp", "updatedAt", "version") SELECT "approvedAt", "approverId", "audience", "body", "createdAt", "drafterId", "fiscalYear", "id", "reason", "recipients", "sentAt", "severity", "status", "submittedAt", "targets", "title", "tlp", "updatedAt", "version" FROM "Advisory";
DROP TABLE "Advisory";
ALTER TABLE "new_Advisory" RENAME TO "Advisory";
CREATE INDEX "Advisory_status_idx" ON "Advisory"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Backfill: who ended each advisory rejected before this migration (issue 18 item 8): a
-- source that declined (its decline is audited as advisory.declined), else the approver.
UPDATE "Advisory" SET "endedBy" = CASE
    WHEN EXISTS (SELECT 1 FROM "AuditRecord" r WHERE r."action" = 'advisory.declined' AND r."subject" = "Advisory"."id")
    THEN 'source' ELSE 'approver' END
  WHERE "status" = 'rejected';
