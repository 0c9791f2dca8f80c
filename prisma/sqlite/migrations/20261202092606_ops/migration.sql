-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "resentBy" TEXT;
ALTER TABLE "Delivery" ADD COLUMN "retryFrom" DATETIME;
