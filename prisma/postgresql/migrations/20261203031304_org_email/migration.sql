-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "email" TEXT;
