/**
 * The world of an end-to-end test file: a throwaway PostgreSQL and a StarRocks emulator started before
 * its tests, and both stopped after them together with every daemon the tests registered.
 */
import { after, before } from 'node:test';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { SR_PASSWORD } from './daemon-env.js';

export interface E2eWorld {
  /** Daemons to kill after the file's tests (push each one started). */
  readonly daemons: DaemonProcess[];
}

/** Registers the file's before/after hooks; `prepare` gets both servers once they run. */
export function e2eWorld(prepare: (pg: PgHarness, em: StarRocksEmulator) => Promise<void>): E2eWorld {
  let pg: PgHarness | undefined;
  let em: StarRocksEmulator | undefined;
  const daemons: DaemonProcess[] = [];
  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    await prepare(pg, em);
  });
  after(async () => {
    await killDaemons(...daemons);
    await em?.close();
    await pg?.close();
  });
  return { daemons };
}
