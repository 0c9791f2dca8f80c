-- AlterTable
ALTER TABLE "Meeting" ADD COLUMN     "exercise" BOOLEAN NOT NULL DEFAULT false;
