-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "awareAt" TIMESTAMP(3),
ADD COLUMN     "cause" TEXT,
ADD COLUMN     "contact" TEXT,
ADD COLUMN     "damage" TEXT,
ADD COLUMN     "disclosure" TEXT,
ADD COLUMN     "finalAt" TIMESTAMP(3),
ADD COLUMN     "found" TEXT,
ADD COLUMN     "hosts" INTEGER,
ADD COLUMN     "impact" TEXT,
ADD COLUMN     "notified" TEXT,
ADD COLUMN     "personal" TEXT,
ADD COLUMN     "plan" TEXT,
ADD COLUMN     "records" INTEGER,
ADD COLUMN     "updateAt" TIMESTAMP(3),
ADD COLUMN     "updates" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "Incident_stage_status_idx" ON "Incident"("stage", "status");

-- Report stages and deadline clocks (issue 17). An existing report's awareness time (認知日時) is
-- its detection time. A report updated under the old rule ("any update makes it 確報") becomes a
-- 続報 (第1報): its reporter makes it the 確報 with final=yes once the required items are filled.
UPDATE "Incident" SET "awareAt" = "detectedAt" WHERE "awareAt" IS NULL;
UPDATE "Incident" SET "stage" = 'update', "updates" = 1, "updateAt" = "updatedAt" WHERE "stage" = 'confirmed';
