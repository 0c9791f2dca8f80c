-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "shortNames" TEXT NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "orgId" INTEGER;

-- One channel belongs to one organisation per platform. Where two organisations were given the
-- same channel, the assignment with the lowest id (usually the first made) stays and the others
-- are removed: those organisations show no channel in org list until an admin sets a channel of
-- their own, and nothing is posted to a channel another organisation reads.
DELETE FROM "OrgChannel" WHERE "id" NOT IN (SELECT MIN("id") FROM "OrgChannel" GROUP BY "platform", "channelId");

-- CreateIndex
CREATE UNIQUE INDEX "OrgChannel_platform_channelId_key" ON "OrgChannel"("platform", "channelId");

-- The short names of the default directory (data/directory.json) for the organisations seeded
-- before short names existed (organisations whose short names were set since keep them).
UPDATE "Organization" SET "shortNames" = '["ニスク"]' WHERE "code" = 'nisc' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["法制局","CLB"]' WHERE "code" = 'cla' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["IHA"]' WHERE "code" = 'kunaicho' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["公取委","公取"]' WHERE "code" = 'jftc' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["個情委"]' WHERE "code" = 'ppc' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["JFSA"]' WHERE "code" = 'fsa' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["子ども家庭庁","子供家庭庁","こども庁"]' WHERE "code" = 'cfa' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["デ庁"]' WHERE "code" = 'digital' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["soumu"]' WHERE "code" = 'mic' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["文科省"]' WHERE "code" = 'mext' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["厚労省","Ministry of Health Labor and Welfare"]' WHERE "code" = 'mhlw' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["農水省"]' WHERE "code" = 'maff' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["経産省"]' WHERE "code" = 'meti' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["国交省"]' WHERE "code" = 'mlit' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["MOE"]' WHERE "code" = 'env' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["規制委","原子力規制庁","規制庁"]' WHERE "code" = 'nra' AND "shortNames" = '[]';
UPDATE "Organization" SET "shortNames" = '["Ministry of Defence"]' WHERE "code" = 'mod' AND "shortNames" = '[]';
