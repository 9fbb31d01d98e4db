/**
 * Job deletion (Stop with skip_slot_cleanup = false): after the pipeline stopped, a fresh source
 * instance drops the server-side state (slot and publication) with `Source.destroy`, then closes. The
 * server may still count the slot as active for a moment after the replication connection closed, so
 * failures are retried for a while.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CdcError, toCdcError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Source } from '../plugin/source.js';

export interface CleanupOptions {
  readonly attempts: number;
  readonly delayMs: number;
}

export const DEFAULT_CLEANUP: CleanupOptions = { attempts: 20, delayMs: 500 };

export async function destroySourceState(create: () => Source, logger: Logger, opts: CleanupOptions = DEFAULT_CLEANUP): Promise<void> {
  const source = create();
  try {
    if (source.destroy === undefined) {
      throw new CdcError({
        code: 'INTERNAL',
        message: `The ${source.type} source cannot remove its server-side state; remove it by hand.`,
      });
    }
    const destroy = source.destroy.bind(source);
    for (let attempt = 1; ; attempt++) {
      try {
        await destroy();
        return;
      } catch (err) {
        if (attempt >= opts.attempts) throw err;
        logger.debug({ attempt, error: toCdcError(err).message }, 'Removing the replication slot failed; retrying');
        await sleep(opts.delayMs);
      }
    }
  } finally {
    await source.close().catch(() => undefined);
  }
}
