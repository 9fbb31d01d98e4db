/** dbmazz-demo: PostgreSQL, the StarRocks emulator and the dbmazz daemon, traffic, a live view and validation (`dbmazz demo`). */
export { runDemoCli, EXIT_USAGE } from './cli.js';
