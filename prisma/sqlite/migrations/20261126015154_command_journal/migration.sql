-- CreateTable
CREATE TABLE "PendingCommand" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "platform" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "claimedBy" TEXT NOT NULL,
    "claimUntil" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "PendingCommand_claimUntil_idx" ON "PendingCommand"("claimUntil");
