/** Vitest setup file: run before each test file (vitest.config.ts setupFiles), isolated or not. */
import { afterAll } from 'vitest';
import { dropPending } from './drop-later.ts';

afterAll(dropPending);
