/** Vitest setup file: run before each test file (vitest.config.ts setupFiles), isolated or not. */
import { afterAll, expect } from 'vitest';
import { dropPending } from './drop-later.ts';
import { setCurrentTestFile } from './pg-pass.ts';

// which file runs now: a database made for a file the PostgreSQL pass leaves out fails (pg-pass.ts)
setCurrentTestFile(expect.getState().testPath);
afterAll(dropPending);
