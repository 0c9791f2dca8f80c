-- AlterTable
ALTER TABLE "Advisory" ADD COLUMN     "confidentiality" INTEGER,
ADD COLUMN     "endedBy" TEXT,
ADD COLUMN     "handling" TEXT,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'warning';

-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "handling" TEXT;

-- Backfill: who ended each advisory rejected before this migration (issue 18 item 8): a
-- source that declined (its decline is audited as advisory.declined), else the approver.
UPDATE "Advisory" SET "endedBy" = CASE
    WHEN EXISTS (SELECT 1 FROM "AuditRecord" r WHERE r."action" = 'advisory.declined' AND r."subject" = "Advisory"."id")
    THEN 'source' ELSE 'approver' END
  WHERE "status" = 'rejected';
