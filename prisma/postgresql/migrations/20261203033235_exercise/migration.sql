-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "exercise" BOOLEAN NOT NULL DEFAULT false;
