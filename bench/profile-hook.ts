/**
 * A V8 CPU profile of the whole process, for a process started with
 * `NODE_OPTIONS=--import <this file>` and `DBMAZZ_BENCH_CPU_PROFILE=<file>` (Node 20 refuses `--cpu-prof`
 * in NODE_OPTIONS; the benchmark starts the daemon through the test helper, without node flags). The
 * profile is written when the process exits (a normal exit: SIGTERM drains and exits).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env['DBMAZZ_BENCH_CPU_PROFILE'];
if (file !== undefined && file !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // An in-process session answers synchronously, so this runs before the process is gone.
    session.post('Profiler.stop', (err, res) => {
      if (err === null) writeFileSync(file, JSON.stringify(res.profile));
    });
  });
}
