/** Reads a child process's CPU time and memory from /proc (Linux), via the pure parsers in stats.ts. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseProcStatTicks, parseProcStatusBytes } from './stats.js';

let ticksPerSecond: number | undefined;

/** CLK_TCK (`getconf CLK_TCK`, 100 when getconf is missing). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.stdout?.trim());
    ticksPerSecond = out.status === 0 && Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

export interface ProcSample {
  /** User + system CPU seconds so far. */
  readonly cpuSeconds: number;
  /** Resident set size now, and its peak (VmHWM) so far, in bytes. */
  readonly rssBytes: number;
  readonly peakRssBytes: number;
}

export function sampleProcess(pid: number): ProcSample {
  const ticks = parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    cpuSeconds: ticks / clockTicks(),
    rssBytes: parseProcStatusBytes(status, 'VmRSS') ?? 0,
    peakRssBytes: parseProcStatusBytes(status, 'VmHWM') ?? 0,
  };
}
