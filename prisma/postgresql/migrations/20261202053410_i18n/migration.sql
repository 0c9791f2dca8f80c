-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "calendar" TEXT;
