-- CreateTable
CREATE TABLE "DutySlot" (
    "slot" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "setBy" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DutySlot_pkey" PRIMARY KEY ("slot")
);
