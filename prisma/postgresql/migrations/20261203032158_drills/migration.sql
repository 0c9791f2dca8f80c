-- CreateTable
CREATE TABLE "Drill" (
    "id" TEXT NOT NULL,
    "fiscalYear" INTEGER NOT NULL,
    "scope" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "createdBy" INTEGER NOT NULL,

    CONSTRAINT "Drill_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DrillOrg" (
    "drillId" TEXT NOT NULL,
    "orgId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "pocs" INTEGER NOT NULL,

    CONSTRAINT "DrillOrg_pkey" PRIMARY KEY ("drillId","orgId")
);

-- CreateTable
CREATE TABLE "DrillCheck" (
    "drillId" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "orgId" INTEGER NOT NULL,
    "identity" TEXT NOT NULL,
    "position" TEXT,
    "sentAt" TIMESTAMP(3) NOT NULL,
    "answeredAt" TIMESTAMP(3),

    CONSTRAINT "DrillCheck_pkey" PRIMARY KEY ("drillId","personId")
);

-- CreateIndex
CREATE INDEX "Drill_startedAt_idx" ON "Drill"("startedAt");

-- CreateIndex
CREATE INDEX "DrillCheck_drillId_orgId_idx" ON "DrillCheck"("drillId", "orgId");

-- AddForeignKey
ALTER TABLE "DrillOrg" ADD CONSTRAINT "DrillOrg_drillId_fkey" FOREIGN KEY ("drillId") REFERENCES "Drill"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DrillCheck" ADD CONSTRAINT "DrillCheck_drillId_fkey" FOREIGN KEY ("drillId") REFERENCES "Drill"("id") ON DELETE CASCADE ON UPDATE CASCADE;
