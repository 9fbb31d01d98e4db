/**
 * The position store of a source without a server-side slot: one small JSON file per pipeline under
 * STATE_DIR (`<STATE_DIR>/<pipeline id>.position.json`), replaced atomically: written to a temporary
 * file, fsynced, renamed over the old one, and the directory fsynced, so after a crash the file holds
 * either the previous or the new position, never a torn one. The file names the source type: a
 * position is meaningful only to the connector that produced it.
 */
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CdcError } from '../errors/errors.js';
import type { Lsn } from '../model/lsn.js';
import type { PositionStore } from '../pipeline/saved-positions.js';

export const STATE_DIR_SETTING = 'STATE_DIR';

interface PositionFileContent {
  readonly version: 1;
  readonly source: string;
  readonly pipelineId: string;
  /** Decimal text: positions are 64-bit and never pass through a JS number. */
  readonly position: string;
  readonly savedAt: string;
}

export class FilePositionStore implements PositionStore {
  readonly location: string;
  readonly #dir: string;
  readonly #source: string;
  readonly #pipelineId: string;

  constructor(stateDir: string, pipelineId: string, sourceType: string) {
    this.#dir = resolve(stateDir);
    this.#source = sourceType;
    this.#pipelineId = pipelineId;
    this.location = join(this.#dir, `${encodeURIComponent(pipelineId)}.position.json`);
  }

  async load(): Promise<Lsn | undefined> {
    try {
      await mkdir(this.#dir, { recursive: true });
      await access(this.#dir, constants.W_OK);
    } catch (err) {
      throw new CdcError({
        code: 'SOURCE_SETUP',
        message: `${STATE_DIR_SETTING} '${this.#dir}' cannot hold the saved source position: ${(err as Error).message}`,
        hint: `The '${this.#source}' source keeps no position on its server, so dbmazz saves it there. Set ${STATE_DIR_SETTING} to a writable directory on a persistent volume.`,
        cause: err,
      });
    }
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return this.#parse(text);
  }

  async save(position: Lsn): Promise<void> {
    const content: PositionFileContent = {
      version: 1,
      source: this.#source,
      pipelineId: this.#pipelineId,
      position: position.toString(),
      savedAt: new Date().toISOString(),
    };
    const temp = `${this.location}.tmp`;
    const file = await open(temp, 'w');
    try {
      await file.writeFile(`${JSON.stringify(content)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.location);
    const dir = await open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  #parse(text: string): Lsn {
    const bad = (why: string): CdcError =>
      new CdcError({
        code: 'SOURCE_SETUP',
        message: `The saved position file ${this.location} ${why}.`,
        hint: `Restore it from a backup, or delete it to make the '${this.#source}' source start from its beginning (rows may be written again).`,
      });
    let content: Partial<PositionFileContent>;
    try {
      content = JSON.parse(text) as Partial<PositionFileContent>;
    } catch {
      throw bad('is not valid JSON');
    }
    if (content.source !== this.#source) {
      throw new CdcError({
        code: 'SOURCE_SETUP',
        message: `The saved position file ${this.location} belongs to the source '${String(content.source)}', not '${this.#source}': positions of different connectors are not comparable.`,
        hint: `Use another ${STATE_DIR_SETTING} (or SOURCE_SLOT_NAME) for this pipeline, or delete the file to start the '${this.#source}' source from its beginning.`,
      });
    }
    if (typeof content.position !== 'string' || !/^\d+$/.test(content.position)) throw bad('holds no valid position');
    return BigInt(content.position);
  }
}
