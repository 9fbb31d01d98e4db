import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { limitHeapGrowth } from '../../../../core/runtime/heap-growth.js';

test('the heap growing factor is set unless node was started with one', () => {
  assert.equal(limitHeapGrowth(['--heap-growing-percent=20']), false);
  assert.equal(limitHeapGrowth(['--heap_growing_percent=20']), false);
  assert.equal(limitHeapGrowth(['--max-old-space-size=512']), true);
});

test('the dbmazz CLI keeps its old generation near the live data while records churn', () => {
  // A child that holds a moving window of ~60 MiB of records (as buffered changes are) and lets the
  // older ones die, as flushes do; it prints the largest heap it used. V8's default growing factor
  // lets dead records pile up to several times the live data before a full collection.
  const script = fileURLToPath(new URL('./heap-churn.js', import.meta.url));
  const run = (limit: boolean): number => {
    const out = spawnSync(process.execPath, [script, limit ? 'limit' : 'default'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    return Number(out.stdout.trim());
  };
  const limited = run(true);
  const unlimited = run(false);
  assert.ok(limited < unlimited * 0.8, `peak heap ${Math.round(limited / 2 ** 20)} MiB with the limit, ${Math.round(unlimited / 2 ** 20)} MiB without`);
});
