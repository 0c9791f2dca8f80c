-- CreateTable
CREATE TABLE "DutySlot" (
    "slot" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "setBy" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
