-- CreateTable
CREATE TABLE "Drill" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fiscalYear" INTEGER NOT NULL,
    "scope" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "closesAt" DATETIME NOT NULL,
    "createdBy" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "DrillOrg" (
    "drillId" TEXT NOT NULL,
    "orgId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "pocs" INTEGER NOT NULL,

    PRIMARY KEY ("drillId", "orgId"),
    CONSTRAINT "DrillOrg_drillId_fkey" FOREIGN KEY ("drillId") REFERENCES "Drill" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DrillCheck" (
    "drillId" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "orgId" INTEGER NOT NULL,
    "identity" TEXT NOT NULL,
    "position" TEXT,
    "sentAt" DATETIME NOT NULL,
    "answeredAt" DATETIME,

    PRIMARY KEY ("drillId", "personId"),
    CONSTRAINT "DrillCheck_drillId_fkey" FOREIGN KEY ("drillId") REFERENCES "Drill" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Drill_startedAt_idx" ON "Drill"("startedAt");

-- CreateIndex
CREATE INDEX "DrillCheck_drillId_orgId_idx" ON "DrillCheck"("drillId", "orgId");
