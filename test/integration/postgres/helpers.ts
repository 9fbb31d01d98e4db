/** Shared helpers for the PostgreSQL source integration tests. */
import pino from 'pino';
import type { Lsn, Settings, SourceEvent, SourceEventHandler, TableId } from '../../../core/index.js';
import { connectorContext } from '../../../core/index.js';
import { postgresSource, type PostgresSource } from '../../../connectors/postgres/index.js';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import { waitFor } from '../../helpers/wait.js';

export const silentLogger = pino({ level: 'silent' });

export interface SourceOptions {
  readonly slot: string;
  readonly publication?: string;
  readonly tables: readonly string[];
  readonly statusIntervalMs?: number;
  readonly replicaIdentityFull?: boolean;
  readonly url?: string;
  /** SNAPSHOT_MODE; `never` by default here: these tests are about the stream (snapshots: test/integration/grpc/snapshot.test.ts). */
  readonly snapshotMode?: 'initial' | 'never' | 'initial_only';
}

export function settingsFor(pg: PgHarness, o: SourceOptions): Settings {
  return {
    // The seed's URLs carry ?replication=database: accepted and stripped for normal connections.
    SOURCE_URL: o.url ?? `${pg.url}?replication=database`,
    SOURCE_SLOT_NAME: o.slot,
    SOURCE_PUBLICATION_NAME: o.publication ?? `${o.slot}_pub`,
    SOURCE_STATUS_INTERVAL_MS: o.statusIntervalMs ?? 1000,
    SOURCE_CONNECT_TIMEOUT_MS: 10_000,
    SOURCE_REPLICA_IDENTITY_FULL: o.replicaIdentityFull ?? false,
    SNAPSHOT_MODE: o.snapshotMode ?? 'never',
    SNAPSHOT_CHUNK_ROWS: 10_000,
    SNAPSHOT_PARALLELISM: 2,
  };
}

export function tableIds(names: readonly string[]): TableId[] {
  return names.map((n) => {
    const [a, b] = n.split('.');
    return b === undefined ? { schema: 'public', name: a ?? n } : { schema: a ?? 'public', name: b };
  });
}

export function createSource(pg: PgHarness, o: SourceOptions): PostgresSource {
  const settings = settingsFor(pg, o);
  return postgresSource.create(
    settings,
    connectorContext({ logger: silentLogger, tables: tableIds(o.tables), pipelineId: o.slot, settings }),
  ) as PostgresSource;
}

/** Collects events; `handler` may be made to block. */
export class Collector {
  readonly events: SourceEvent[] = [];
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  /** Called for every event after it is recorded (e.g. to acknowledge). */
  onEvent: ((ev: SourceEvent) => void) | undefined;

  readonly handler: SourceEventHandler = (ev) => {
    this.events.push(ev);
    this.onEvent?.(ev);
    return this.gate;
  };

  /** From now on every event returns a promise that settles on `release()`. */
  block(): void {
    this.gate = new Promise<void>((r) => (this.openGate = r));
  }

  release(): void {
    const open = this.openGate;
    this.gate = undefined;
    this.openGate = undefined;
    open?.();
  }

  changes(): Array<Extract<SourceEvent, { kind: 'change' }>['record']> {
    return this.events.flatMap((e) => (e.kind === 'change' ? [e.record] : []));
  }

  commits(): Array<Extract<SourceEvent, { kind: 'commit' }>> {
    return this.events.flatMap((e) => (e.kind === 'commit' ? [e] : []));
  }

  async waitForChanges(n: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.changes().length >= n, { timeoutMs, message: () => `${this.changes().length}/${n} changes` });
  }

  async waitForCommits(n: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.commits().length >= n, { timeoutMs, message: () => `${this.commits().length}/${n} commits` });
  }

  async waitFor(pred: (ev: SourceEvent) => boolean, timeoutMs = 30_000): Promise<SourceEvent> {
    return waitFor(() => this.events.find(pred), { timeoutMs, message: 'event' });
  }
}

export async function confirmedFlush(pg: PgHarness, slot: string): Promise<string | null> {
  const r = await pg.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return r.rows[0]?.lsn ?? null;
}

export const lsnOf = (ev: SourceEvent): Lsn | undefined => (ev.kind === 'commit' || ev.kind === 'idle' ? ev.position : undefined);
