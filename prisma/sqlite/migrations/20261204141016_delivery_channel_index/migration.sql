-- DropIndex
DROP INDEX "Delivery_status_notBefore_idx";

-- CreateIndex
CREATE INDEX "Delivery_status_platform_target_notBefore_createdAt_idx" ON "Delivery"("status", "platform", "target", "notBefore", "createdAt");
