-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "email" TEXT;
