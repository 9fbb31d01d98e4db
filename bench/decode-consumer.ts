/**
 * The (b) row: a bare decode-only consumer. Streams slot `argv[3]` of `argv[2]` with pg-logical-replication's
 * PgoutputPlugin, counts insert/update/delete messages, prints `done <count>` once `argv[4]` arrived and
 * then waits to be killed (so the parent can read its /proc entry while it is alive).
 */
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';

const [url, slot, expectedText, publication] = process.argv.slice(2);
if (url === undefined || slot === undefined || expectedText === undefined || publication === undefined) {
  process.stderr.write('usage: decode-consumer.js URL SLOT EXPECTED_CHANGES PUBLICATION\n');
  process.exit(2);
}
const expected = Number(expectedText);
let count = 0;
let done = false;
const service = new LogicalReplicationService({ connectionString: url }, { acknowledge: { auto: true, timeoutSeconds: 10 } });
service.on('data', (_lsn: string, msg: { tag?: string }) => {
  if (msg.tag === 'insert' || msg.tag === 'update' || msg.tag === 'delete') count++;
  if (!done && count >= expected) {
    done = true;
    process.stdout.write(`done ${count}\n`);
  }
});
service.on('error', (err: Error) => {
  process.stderr.write(`decode consumer: ${err.message}\n`);
  process.exit(1);
});
const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] });
service.subscribe(plugin, slot).catch((err: unknown) => {
  if (!done) {
    process.stderr.write(`decode consumer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
});
