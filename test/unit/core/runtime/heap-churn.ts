/** Child of v8-tuning.test.ts: churns through records with a live window; prints the peak heapUsed. */
import { tuneV8 } from '../../../../core/runtime/v8-tuning.js';

if (process.argv[2] === 'limit') tuneV8([]);
const WINDOW = 100_000;
const window: unknown[] = new Array<unknown>(WINDOW);
let peak = 0;
for (let i = 0; i < 2_000_000; i++) {
  window[i % WINDOW] = { lsn: BigInt(i), ordinal: i, after: [BigInt(i), `note ${i}`, { kind: 'decimal', text: `${i}.1234` }, i / 7, true] };
  if (i % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
}
process.stdout.write(`${peak}\n`);
