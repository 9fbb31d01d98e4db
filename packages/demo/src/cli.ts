/** `dbmazz demo [options]` (and `npm run demo -- [options]`): parses the flags and runs the demo. */
import { DEMO_USAGE, parseDemoArgs } from './options.js';
import { runDemo, type DemoIo } from './run.js';

export const EXIT_USAGE = 2;

export async function runDemoCli(argv: readonly string[], io: DemoIo): Promise<number> {
  const parsed = parseDemoArgs(argv);
  if (!parsed.ok) {
    if (parsed.help) {
      io.stdout.write(DEMO_USAGE);
      return 0;
    }
    io.stderr.write(`dbmazz demo: ${parsed.error}\n${DEMO_USAGE}`);
    return EXIT_USAGE;
  }
  return runDemo(parsed.options, io);
}
