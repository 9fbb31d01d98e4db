/**
 * The conformance kit's checks: each is a named async function that throws when the connector breaks
 * a rule and may skip itself (the connector lacks an optional feature). They run either as node:test
 * tests (`register`) or as plain functions returning results (`runChecks`), so a test can assert that
 * the kit catches a broken connector.
 */
import { describe, it } from 'node:test';

/** What both kits are given: the connector's manifest and a fresh target per check. */
export interface ConformanceOptions<M, T> {
  readonly manifest: M;
  /** A fresh target for one check (disposed after it). */
  target(): Promise<T> | T;
  /** Setting-name prefixes the manifest may use (default `SOURCE_` or `SINK_`). */
  readonly settingPrefixes?: readonly string[];
  /** Per check, in ms. */
  readonly timeoutMs?: number;
  /**
   * The environment of a connector that cannot reach its server (e.g. a closed port), for the
   * connection-error check; without it that check is skipped.
   */
  readonly unreachable?: Readonly<Record<string, string | undefined>>;
}

export interface Skip {
  readonly skipped: string;
}

export interface ConformanceCheck {
  /** A short rule, e.g. `retry with the same batch is applied once`. */
  readonly name: string;
  run(): Promise<void | Skip>;
}

export type CheckResult =
  | { readonly name: string; readonly status: 'passed' }
  | { readonly name: string; readonly status: 'skipped'; readonly reason: string }
  | { readonly name: string; readonly status: 'failed'; readonly error: Error };

export function skip(reason: string): Skip {
  return { skipped: reason };
}

/** A rule the connector broke: the message says which rule and what was seen. */
export class ConformanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

export function expect(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new ConformanceError(message());
}

/** Runs every check in order (one at a time: they share the connector's target). */
export async function runChecks(checks: readonly ConformanceCheck[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      const out = await check.run();
      results.push(out === undefined ? { name: check.name, status: 'passed' } : { name: check.name, status: 'skipped', reason: out.skipped });
    } catch (err) {
      results.push({ name: check.name, status: 'failed', error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  return results;
}

/** Registers the checks as node:test tests inside one `describe` (a skipped check is reported as skipped). */
export function register(suite: string, checks: readonly ConformanceCheck[], timeoutMs: number): void {
  void describe(suite, { concurrency: 1 }, () => {
    for (const check of checks) {
      void it(check.name, { timeout: timeoutMs }, async (t) => {
        const out = await check.run();
        if (out !== undefined) t.skip(out.skipped);
      });
    }
  });
}

/** Polls `probe` until it returns true; fails with `message` after `timeoutMs`. */
export async function until(probe: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new ConformanceError(`${message()} (waited ${timeoutMs} ms)`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
