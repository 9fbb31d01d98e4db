import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectorContext, type ChangeRecord, type TableBatch, type TableSchema } from 'dbmazz';
import { conformanceSchema } from 'dbmazz/testing';
import { JsonlSink, readTable, tableFile } from '../src/index.js';

const schema: TableSchema = conformanceSchema({ schema: 'public', name: 'items' });
const ctx = connectorContext({ tables: [schema.id], pipelineId: 'test' });

function insert(id: bigint, note: string, lsn: bigint): ChangeRecord {
  return { op: 'insert', schema, lsn, ordinal: 0, commitLsn: lsn + 8n, commitTimeMicros: 0n, after: [id, note] };
}

function batch(records: ChangeRecord[]): TableBatch {
  return { schema, records, firstLsn: records[0]?.lsn ?? 0n, lastLsn: records.at(-1)?.lsn ?? 0n, pipelineId: 'test' };
}

async function withSink(fn: (dir: string, open: () => Promise<JsonlSink>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sink-jsonl-unit-'));
  try {
    await fn(dir, async () => {
      const sink = new JsonlSink({ dir, before: false }, ctx);
      await sink.validateConnection();
      await sink.setup([schema]);
      return sink;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (dir: string): string[] =>
  readFileSync(tableFile(dir, schema.id), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

test('a retried batch and a replayed one add no line twice', async () => {
  await withSink(async (dir, open) => {
    const sink = await open();
    const b = batch([insert(1n, 'a', 0x10n), insert(2n, 'b', 0x20n)]);
    await sink.write(b, new AbortController().signal);
    await sink.write(b, new AbortController().signal);
    const restarted = await open();
    await restarted.write(batch([insert(2n, 'b', 0x20n), insert(3n, 'c', 0x30n)]), new AbortController().signal);
    assert.deepEqual(
      lines(dir).map((l) => (JSON.parse(l) as { key: { id: string } }).key.id),
      ['1', '2', '3'],
    );
  });
});

test('setup cuts off a torn last line (an append the crash interrupted), and the batch is written again', async () => {
  await withSink(async (dir, open) => {
    const sink = await open();
    await sink.write(batch([insert(1n, 'a', 0x10n)]), new AbortController().signal);
    appendFileSync(tableFile(dir, schema.id), '{"op":"insert","table":"public.items","vers');
    const restarted = await open();
    assert.equal(lines(dir).length, 1);
    await restarted.write(batch([insert(2n, 'b', 0x20n)]), new AbortController().signal);
    assert.deepEqual(await readTable(dir, schema.id), [
      { id: '1', note: 'a' },
      { id: '2', note: 'b' },
    ]);
  });
});

test('int8 values keep every digit (never a JS number)', async () => {
  await withSink(async (dir, open) => {
    const sink = await open();
    await sink.write(batch([insert(9_007_199_254_740_993n, 'big', 0x10n)]), new AbortController().signal);
    assert.deepEqual(await readTable(dir, schema.id), [{ id: '9007199254740993', note: 'big' }]);
  });
});
