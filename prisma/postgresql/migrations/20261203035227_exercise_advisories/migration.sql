-- AlterTable
ALTER TABLE "Advisory" ADD COLUMN     "exercise" BOOLEAN NOT NULL DEFAULT false;
