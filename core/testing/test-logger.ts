/** A pino logger that keeps its lines in memory, for asserting on logs. */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface TestLogger {
  readonly logger: Logger;
  readonly lines: LogLine[];
  /** Lines with this message (exact). */
  find(msg: string): LogLine[];
}

export function createTestLogger(level: LevelWithSilent = 'debug'): TestLogger {
  const lines: LogLine[] = [];
  const logger = pino(
    { level, base: null, timestamp: false },
    {
      write(chunk: string): void {
        lines.push(JSON.parse(chunk) as LogLine);
      },
    },
  );
  return { logger, lines, find: (msg) => lines.filter((l) => l.msg === msg) };
}
