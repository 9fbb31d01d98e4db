/**
 * Admin HTTP API of the emulator, served by the FE under `/__emulator/` (no auth; test-bed only).
 *
 * - `POST   /__emulator/faults`         body: a FaultSpec JSON (faults.ts) → `{"id": n}`
 * - `GET    /__emulator/faults`         → `[{"id", "spec", "remaining", "hits"}]`
 * - `DELETE /__emulator/faults[/<id>]`  → `{"ok": true}`
 * - `POST   /__emulator/settings`       body: `{"schemaChangeMs"?, "labelKeepMaxSecond"?, "labelKeepMaxNum"?,
 *                                       "jsonMaxBytes"?, "maxRunningTxnNumPerDb"?}` → the settings
 * - `GET    /__emulator/loads`          → the load log; `DELETE` clears it
 * - `GET    /__emulator/rows?db=&table=` → rows as JSON objects (integers as bare JSON numbers,
 *                                       VARBINARY as a hex string)
 * - `POST   /__emulator/sql?db=`        body: one SQL statement → the SqlResult as JSON (when the SQL
 *                                       executor is available)
 * Errors: HTTP 400/404 with `{"error": "..."}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalog, EmulatorSettings } from './catalog.js';
import { type FaultInjector, parseFaultSpec } from './faults.js';
import { sendJson } from './http-util.js';
import type { LoadEngine } from './load-engine.js';

export interface AdminDeps {
  readonly catalog: Catalog;
  readonly engine: LoadEngine;
  readonly faults: FaultInjector;
  readonly sql: ((statement: string, db?: string) => Promise<unknown>) | null;
}

/** JSON with bigint as bare digits and Buffers as hex. */
export function toJsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `\u0000BIGINT${x.toString()}\u0000`;
    if (x && typeof x === 'object' && (x as { type?: unknown }).type === 'Buffer' && Array.isArray((x as { data?: unknown }).data))
      return Buffer.from((x as { data: number[] }).data).toString('hex');
    return x;
  }).replace(/"\\u0000BIGINT(-?\d+)\\u0000"/g, '$1');
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const SETTING_KEYS: readonly (keyof EmulatorSettings)[] = ['schemaChangeMs', 'labelKeepMaxSecond', 'labelKeepMaxNum', 'jsonMaxBytes', 'maxRunningTxnNumPerDb'];

export function makeAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse, segments: readonly string[]) => void {
  const bad = (res: ServerResponse, status: number, error: string): void => sendJson(res, JSON.stringify({ error }), { status, close: true });
  return (req, res, segments) => {
    const method = req.method ?? 'GET';
    const [what, id] = segments;
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.expect && /100-continue/i.test(req.headers.expect)) res.writeContinue();
    void (async () => {
      const text = await readAll(req);
      let body: unknown = undefined;
      if (method === 'POST' && what !== 'sql' && text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          return bad(res, 400, 'body is not valid JSON');
        }
      }
      switch (what) {
        case 'faults':
          if (method === 'POST') {
            const spec = parseFaultSpec(body);
            if (typeof spec === 'string') return bad(res, 400, spec);
            return sendJson(res, JSON.stringify({ id: deps.faults.inject(spec) }));
          }
          if (method === 'GET') return sendJson(res, JSON.stringify(deps.faults.list()));
          if (method === 'DELETE') {
            deps.faults.clear(id === undefined ? undefined : Number(id));
            return sendJson(res, '{"ok": true}');
          }
          break;
        case 'settings':
          if (method === 'POST') {
            if (typeof body !== 'object' || body === null) return bad(res, 400, 'settings must be a JSON object');
            for (const [k, v] of Object.entries(body)) {
              if (!(SETTING_KEYS as readonly string[]).includes(k)) return bad(res, 400, `unknown setting ${k}`);
              if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return bad(res, 400, `${k} must be a non-negative number`);
            }
            Object.assign(deps.catalog.settings, body);
          }
          if (method === 'POST' || method === 'GET') return sendJson(res, JSON.stringify(deps.catalog.settings));
          break;
        case 'loads':
          if (method === 'GET') return sendJson(res, JSON.stringify(deps.engine.loads()));
          if (method === 'DELETE') {
            deps.engine.clearLoads();
            return sendJson(res, '{"ok": true}');
          }
          break;
        case 'rows': {
          if (method !== 'GET') break;
          const t = deps.catalog.getTable(url.searchParams.get('db') ?? '', url.searchParams.get('table') ?? '');
          if (!t) return bad(res, 404, 'no such table');
          return sendJson(res, toJsonText(t.rowObjects()));
        }
        case 'sql': {
          if (method !== 'POST') break;
          if (!deps.sql) return bad(res, 404, 'the SQL executor is not available in this build');
          try {
            const r = await deps.sql(text, url.searchParams.get('db') ?? undefined);
            return sendJson(res, toJsonText(r));
          } catch (e) {
            return bad(res, 400, e instanceof Error ? e.message : String(e));
          }
        }
        default:
          break;
      }
      bad(res, 404, `no admin route ${method} /__emulator/${segments.join('/')}`);
    })().catch((e: unknown) => bad(res, 500, e instanceof Error ? e.message : String(e)));
  };
}
