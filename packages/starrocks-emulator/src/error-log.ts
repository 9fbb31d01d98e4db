/** Load error logs (docs/starrocks-protocol.md §3.4): at most 50 lines per file, served only by the BE that wrote them. */
import { randomBytes } from 'node:crypto';

export const MAX_ERROR_LOG_LINES = 50;

/** Error logs per BE (§3.4: a BE serves only its own files). */
export class ErrorLogStore {
  readonly #files = new Map<string, { be: number; text: string }>();

  save(be: number, lines: readonly string[]): string {
    const file = `error_log_${randomBytes(8).toString('hex')}_${randomBytes(8).toString('hex')}`;
    this.#files.set(file, { be, text: lines.slice(0, MAX_ERROR_LOG_LINES).join('\n') + '\n' });
    return file;
  }

  get(be: number, file: string): string | undefined {
    const f = this.#files.get(file);
    return f && f.be === be ? f.text : undefined;
  }
}
