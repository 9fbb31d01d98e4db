/**
 * Source and sink wrappers that report flow to a ConnectorObserver (docs/design-principles.md §2.14: cross-cutting sink
 * behaviour as wrappers composed at wiring time). They are transparent Proxies: every other property
 * and method, optional ones included, is the connector's own (an absent `truncate` stays absent).
 */
import { toCdcError } from '../errors/errors.js';
import type { Sink } from '../plugin/sink.js';
import type { Source, SourceEventHandler } from '../plugin/source.js';
import type { ConnectorObserver } from './pipeline-metrics.js';

function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return (overrides as Record<PropertyKey, unknown>)[prop];
      // Getters and methods run on the connector itself (private fields work).
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

export function observeSource(source: Source, observer: ConnectorObserver): Source {
  const start = (handler: SourceEventHandler): Promise<void> =>
    source.start((event) => {
      if (event.kind === 'change') observer.change(event.record);
      else if (event.kind === 'rows') observer.rows(event.rows);
      else if (event.kind === 'truncate') observer.truncate(event.tables);
      return handler(event);
    });
  return delegate(source, { start });
}

export function observeSink(sink: Sink, observer: ConnectorObserver): Sink {
  const write: Sink['write'] = async (batch, signal, options) => {
    let started = performance.now();
    // `options.ready` (Sink.awaitsReady) must reach the sink; the wait for it is not write time.
    options?.ready?.then(
      () => (started = performance.now()),
      () => undefined,
    );
    try {
      const result = await sink.write(batch, signal, options);
      observer.written(batch, result, (performance.now() - started) / 1000, BigInt(Date.now()) * 1000n);
      return result;
    } catch (err) {
      if (!signal.aborted) observer.writeFailed(batch, toCdcError(err));
      throw err;
    }
  };
  return delegate(sink, { write });
}
