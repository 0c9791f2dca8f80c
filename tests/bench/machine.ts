/** What the figures were measured on. */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { round } from './stats.ts';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGb: number;
  freeGb: number;
  node: string;
  /** 1, 5, 15-minute load averages */
  load: number[];
}

export function machine(): Machine {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? '?',
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    freeGb: round(freemem() / 1024 ** 3, 1),
    node: process.version,
    load: loadavg().map((l) => round(l, 2)),
  };
}
