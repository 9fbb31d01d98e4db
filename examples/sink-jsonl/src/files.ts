/**
 * The file operations the sink needs to be durable: append and fsync, replace atomically (write a
 * temporary file, fsync, rename, fsync the directory), and repair a torn last line after a crash.
 */
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Appends `text` and fsyncs the file (and its directory when the file is new). */
export async function appendDurably(path: string, text: string): Promise<void> {
  const file = await open(path, 'a');
  let created: boolean;
  try {
    created = (await file.stat()).size === 0;
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  if (created) await syncDir(dirname(path));
}

/** Replaces `path` with `text` so that a crash leaves either the old or the new content. */
export async function replaceDurably(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`;
  const file = await open(temp, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  await syncDir(dirname(path));
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The last complete line of `path` (undefined when there is none). A last line without its newline
 * is a write the crash cut short: it was never acknowledged, so it is cut off (and fsynced).
 */
export async function lastLine(path: string): Promise<{ readonly line: string | undefined; readonly repairedBytes: number }> {
  let file;
  try {
    file = await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { line: undefined, repairedBytes: 0 };
    throw err;
  }
  try {
    const size = (await file.stat()).size;
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      await file.read(buf, 0, buf.length, start);
      let end = buf.length;
      let repairedBytes = 0;
      if (end > 0 && buf[end - 1] !== 0x0a) {
        const cut = buf.lastIndexOf(0x0a);
        if (cut < 0 && start > 0) {
          chunk *= 2;
          continue;
        }
        repairedBytes = end - (cut + 1);
        end = cut + 1;
        await file.truncate(start + end);
        await file.sync();
      }
      const body = buf.subarray(0, Math.max(0, end - 1));
      const from = body.lastIndexOf(0x0a);
      if (from < 0 && start > 0) {
        chunk *= 2;
        continue;
      }
      const line = end === 0 ? undefined : body.subarray(from + 1).toString('utf8');
      return { line, repairedBytes };
    }
  } finally {
    await file.close();
  }
}
