-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Meeting" (
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
    "exercise" BOOLEAN NOT NULL DEFAULT false,
    "createdBy" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Meeting" ("agenda", "createdAt", "createdBy", "durationMin", "fiscalYear", "id", "invite", "place", "reminders", "sequence", "startAt", "status", "title", "updatedAt", "url") SELECT "agenda", "createdAt", "createdBy", "durationMin", "fiscalYear", "id", "invite", "place", "reminders", "sequence", "startAt", "status", "title", "updatedAt", "url" FROM "Meeting";
DROP TABLE "Meeting";
ALTER TABLE "new_Meeting" RENAME TO "Meeting";
CREATE INDEX "Meeting_startAt_idx" ON "Meeting"("startAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
