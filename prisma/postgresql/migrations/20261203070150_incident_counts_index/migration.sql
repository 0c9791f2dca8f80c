-- CreateIndex
CREATE INDEX "Incident_exercise_orgId_status_idx" ON "Incident"("exercise", "orgId", "status");
