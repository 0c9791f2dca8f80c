-- CreateTable
CREATE TABLE "PendingCommand" (
    "key" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "claimedBy" TEXT NOT NULL,
    "claimUntil" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PendingCommand_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "PendingCommand_claimUntil_idx" ON "PendingCommand"("claimUntil");
