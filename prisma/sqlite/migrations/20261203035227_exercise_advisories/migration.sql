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
    "exercise" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Advisory" ("approvedAt", "approverId", "audience", "body", "confidentiality", "createdAt", "drafterId", "endedBy", "fiscalYear", "handling", "id", "kind", "reason", "recipients", "sentAt", "severity", "status", "submittedAt", "targets", "title", "tlp", "updatedAt", "version") SELECT "approvedAt", "approverId", "audience", "body", "confidentiality", "createdAt", "drafterId", "endedBy", "fiscalYear", "handling", "id", "kind", "reason", "recipients", "sentAt", "severity", "status", "submittedAt", "targets", "title", "tlp", "updatedAt", "version" FROM "Advisory";
DROP TABLE "Advisory";
ALTER TABLE "new_Advisory" RENAME TO "Advisory";
CREATE INDEX "Advisory_status_idx" ON "Advisory"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
