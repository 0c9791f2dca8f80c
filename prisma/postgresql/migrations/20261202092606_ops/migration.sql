-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "resentBy" TEXT,
ADD COLUMN     "retryFrom" TIMESTAMP(3);
