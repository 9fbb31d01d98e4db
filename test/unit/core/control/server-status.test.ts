/** core/control/server-status.ts: the one place core reads a source's server status. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readServerStatus } from '../../../../core/control/server-status.js';
import type { SlotStatus, SourceServerStatus } from '../../../../core/plugin/source.js';
import { MemorySource, testTable } from '../../../../core/testing/index.js';

const table = testTable('t');

/** A source that keeps a binlog position on its server (not PostgreSQL: no slot, no WAL). */
class BinlogSource extends MemorySource {
  async serverStatus(): Promise<SourceServerStatus> {
    return { name: 'binlog.000042', exists: true, active: true, retention: 'reserved', safeBytes: undefined, retainedBytes: 4096n, confirmedPosition: 7n };
  }
}

/** An older connector that implements only the deprecated slotStatus(). */
class LegacySlotSource extends MemorySource {
  async slotStatus(): Promise<SlotStatus> {
    return { slotName: 's1', exists: true, active: false, walStatus: 'lost', safeWalSizeBytes: 10n, retainedWalBytes: 20n, confirmedFlushLsn: 30n };
  }
}

/** A source whose server never answers. */
class HangingSource extends MemorySource {
  serverStatus(): Promise<SourceServerStatus> {
    return new Promise(() => undefined);
  }
}

test('a source status is read as the source reports it', async () => {
  assert.deepEqual(await readServerStatus(new BinlogSource({ tables: [table] })), await new BinlogSource({ tables: [table] }).serverStatus());
});

test('the deprecated slotStatus() maps onto the generic status', async () => {
  const s = await readServerStatus(new LegacySlotSource({ tables: [table] }));
  assert.deepEqual(
    [s?.name, s?.exists, s?.active, s?.retention, s?.safeBytes, s?.retainedBytes, s?.confirmedPosition],
    ['s1', true, false, 'lost', 10n, 20n, 30n],
  );
});

test('no source, a source without a status, or one that does not answer: undefined', async () => {
  assert.equal(await readServerStatus(undefined), undefined);
  assert.equal(await readServerStatus(new MemorySource({ tables: [table] })), undefined);
  assert.equal(await readServerStatus(new HangingSource({ tables: [table] }), 1), undefined);
});
