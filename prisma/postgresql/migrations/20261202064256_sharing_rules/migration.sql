-- DropIndex
DROP INDEX "Organization_calendarToken_key";

-- AlterTable
ALTER TABLE "Advisory" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "AdvisorySource" ADD COLUMN     "agreedTlp" TEXT,
ADD COLUMN     "textKey" TEXT,
ADD COLUMN     "tlp" TEXT;

-- AlterTable
ALTER TABLE "Organization" DROP COLUMN "calendarToken";

-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "calendarToken" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Person_calendarToken_key" ON "Person"("calendarToken");
