-- AlterTable
ALTER TABLE "AdvisorySource" ADD COLUMN "agreedTlp" TEXT;
ALTER TABLE "AdvisorySource" ADD COLUMN "textKey" TEXT;
ALTER TABLE "AdvisorySource" ADD COLUMN "tlp" TEXT;

-- AlterTable
ALTER TABLE "Person" ADD COLUMN "calendarToken" TEXT;

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
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Advisory" ("approvedAt", "approverId", "audience", "body", "createdAt", "drafterId", "fiscalYear", "id", "reason", "recipients", "sentAt", "severity", "status", "submittedAt", "targets", "title", "tlp", "updatedAt") SELECT "approvedAt", "approverId", "audience", "body", "createdAt", "drafterId", "fiscalYear", "id", "reason", "recipients", "sentAt", "severity", "status", "submittedAt", "targets", "title", "tlp", "updatedAt" FROM "Advisory";
DROP TABLE "Advisory";
ALTER TABLE "new_Advisory" RENAME TO "Advisory";
CREATE INDEX "Advisory_status_idx" ON "Advisory"("status");
CREATE TABLE "new_Organization" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "nameJa" TEXT NOT NULL,
    "nameEn" TEXT NOT NULL,
    "coordinator" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "shortNames" TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO "new_Organization" ("code", "coordinator", "createdAt", "id", "nameEn", "nameJa", "shortNames") SELECT "code", "coordinator", "createdAt", "id", "nameEn", "nameJa", "shortNames" FROM "Organization";
DROP TABLE "Organization";
ALTER TABLE "new_Organization" RENAME TO "Organization";
CREATE UNIQUE INDEX "Organization_code_key" ON "Organization"("code");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Person_calendarToken_key" ON "Person"("calendarToken");
