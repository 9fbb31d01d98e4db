/**
 * Small GET calls (`http-get.ts`, node:http): the label state on the FE (`get_load_state`, docs/starrocks-protocol.md §4.3), the
 * startup check of SINK_URL and the credentials (the same call for a label never used), and the
 * BE error log behind `ErrorURL` (§3.4). Redirects (the FE may send `get_load_state` to the leader)
 * are followed by hand so Basic auth is kept, with the same chain limit as Stream Load.
 */
import http from 'node:http';
import https from 'node:https';
import { CdcError } from '../../../core/index.js';
import { feProbeError, feUnreachableError, networkError } from '../errors.js';
import { httpGet } from './http-get.js';

export type LabelState = 'UNKNOWN' | 'PREPARE' | 'PREPARED' | 'COMMITTED' | 'VISIBLE' | 'ABORTED';
const STATES: readonly string[] = ['UNKNOWN', 'PREPARE', 'PREPARED', 'COMMITTED', 'VISIBLE', 'ABORTED'];

export interface FeApiOptions {
  readonly baseUrl: URL;
  readonly user: string;
  readonly password: string;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The label the startup check asks about: loads are labelled `<prefix>-<pipeline>-…`, never this. */
export const CHECK_LABEL = 'dbmazz_connection_check';

export class FeApi {
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: 4 }), https: new https.Agent({ keepAlive: true, maxSockets: 4 }) };
  private readonly authorization: string;

  constructor(private readonly opts: FeApiOptions) {
    this.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password}`, 'utf8').toString('base64')}`;
  }

  /** `GET /api/{db}/get_load_state?label=…` → the txn state of a label. */
  async labelState(db: string, label: string, signal?: AbortSignal): Promise<LabelState> {
    const path = `/api/${encodeURIComponent(db)}/get_load_state?label=${encodeURIComponent(label)}`;
    const what = `get_load_state for label ${label}`;
    const { status, body } = await this.get(new URL(path, this.opts.baseUrl), true, what, signal);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const o = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
    if (status === 401 || status === 403) {
      throw new CdcError({ code: 'SINK_AUTH', retry: 'never', message: `${what}: access denied (HTTP ${status})`, hint: 'Check SINK_USER and SINK_PASSWORD.' });
    }
    const state = typeof o['state'] === 'string' ? o['state'].toUpperCase() : undefined;
    if (status !== 200 || state === undefined || !STATES.includes(state)) {
      const msg = typeof o['msg'] === 'string' ? o['msg'] : typeof o['message'] === 'string' ? o['message'] : body.slice(0, 200);
      throw new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: `${what} failed (HTTP ${status}): ${msg}` });
    }
    return state as LabelState;
  }

  /**
   * Startup check: asks the FE for the state of a label that does not exist. A StarRocks FE that
   * accepts SINK_USER answers `state: UNKNOWN`; an unreachable address, another HTTP server or
   * refused credentials throw a CdcError naming SINK_URL (errors.ts, `feProbeError`).
   */
  async checkEndpoint(db: string, signal?: AbortSignal): Promise<void> {
    const url = new URL(`/api/${encodeURIComponent(db)}/get_load_state?label=${CHECK_LABEL}`, this.opts.baseUrl);
    let reply: { status: number; body: string };
    try {
      reply = await this.get(url, true, 'connection check (get_load_state)', signal, 16 << 10);
    } catch (err) {
      throw feUnreachableError(this.opts.baseUrl, err);
    }
    const problem = feProbeError(this.opts.baseUrl, this.opts.user, reply);
    if (problem) throw problem;
  }

  /**
   * The first `maxLines` lines of an error log (`ErrorURL`). Never throws: a missing log must not
   * hide the load error it explains. No credentials are sent (the URL comes from the server).
   */
  async errorLog(errorUrl: string, maxLines = 10, signal?: AbortSignal): Promise<string[]> {
    let url: URL;
    try {
      url = new URL(errorUrl);
    } catch {
      return [];
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return [];
    try {
      const { status, body } = await this.get(url, false, `error log ${errorUrl}`, signal, 64 << 10);
      if (status !== 200) return [`(error log not available: HTTP ${status})`];
      return body
        .split(/\r?\n/)
        .map((l) => (l.length > 500 ? `${l.slice(0, 500)}…` : l))
        .filter((l) => l.trim() !== '')
        .slice(0, maxLines);
    } catch (err) {
      return [`(error log not available: ${err instanceof Error ? err.message : String(err)})`];
    }
  }

  close(): Promise<void> {
    this.agents.http.destroy();
    this.agents.https.destroy();
    return Promise.resolve();
  }

  private async get(start: URL, auth: boolean, what: string, signal: AbortSignal | undefined, maxBytes = 1 << 20): Promise<{ status: number; body: string }> {
    let url = start;
    const maxRedirects = this.opts.maxRedirects ?? 3;
    for (let hop = 0; ; hop++) {
      let res;
      try {
        res = await httpGet(url, {
          headers: auth ? { authorization: this.authorization } : {},
          connectTimeoutMs: this.opts.connectTimeoutMs,
          requestTimeoutMs: this.opts.requestTimeoutMs,
          maxBytes,
          signal,
          agents: this.agents,
        });
      } catch (err) {
        throw networkError(what, err, false);
      }
      if (REDIRECTS.has(res.status)) {
        const location = res.headers.location;
        if (typeof location !== 'string' || hop >= maxRedirects) {
          throw new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: `${what}: too many redirects or no Location (HTTP ${res.status})` });
        }
        url = new URL(location, url);
        continue;
      }
      return { status: res.status, body: res.body };
    }
  }
}
