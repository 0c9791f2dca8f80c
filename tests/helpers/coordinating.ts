/**
 * The coordinating organisation's code as the shipped directory has it (data/directory.json,
 * the organisation marked `coordinator`): tests name it through this, never as a literal, since
 * the code is data (it changes when the directory does).
 */
import { loadSeedDirectory } from '../../src/services/directory-seed.ts';

export const COORD_ORG: string = (() => {
  const o = loadSeedDirectory().find((x) => x.coordinator);
  if (!o) throw new Error('data/directory.json has no coordinating organisation');
  return o.code;
})();
