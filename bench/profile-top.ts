/**
 * `node dist/bench/profile-top.js FILE.cpuprofile [N]`: the top N functions and files by self time of a
 * CPU profile (e.g. one written by `npm run bench -- --cpu-prof DIR`).
 */
import { readFileSync } from 'node:fs';
import { summarizeProfile, type CpuProfile, type ProfileEntry } from './cpu-profile.js';
import { markdownTable } from './format.js';

const [file, count] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node dist/bench/profile-top.js FILE.cpuprofile [N]\n');
  process.exit(2);
}
const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(count ?? 25));
const rows = (es: readonly ProfileEntry[]): string[][] => es.map((e) => [e.name, `${(e.share * 100).toFixed(1)} %`, e.ms.toFixed(0)]);
process.stdout.write(`${file}: ${(s.durationMs / 1000).toFixed(1)} s, ${s.samples} samples\n\n`);
process.stdout.write(`${markdownTable(['function (self)', 'share', 'ms'], rows(s.functions))}\n\n`);
process.stdout.write(`${markdownTable(['file (self)', 'share', 'ms'], rows(s.files))}\n`);
