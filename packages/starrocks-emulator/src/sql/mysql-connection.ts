/**
 * One MySQL-protocol connection of the emulator, on top of a mysql2 server-mode `Connection`.
 *
 * mysql2 performs the handshake (mysql_native_password scramble) and frames packets; after the client
 * reply this handler takes over command dispatch (mysql2's own dispatcher treats every `SET ...`
 * COM_QUERY as a prepare and guesses COM_STMT_EXECUTE parameter types, so it is bypassed). Commands are
 * handled one at a time, in order: COM_QUERY, COM_INIT_DB, COM_PING, COM_QUIT, COM_FIELD_LIST,
 * COM_STMT_PREPARE / EXECUTE / CLOSE / RESET, COM_RESET_CONNECTION; anything else gets ERR 1047.
 * Every failure becomes an ERR packet and the connection stays usable.
 */
import type { Socket } from 'node:net';
import type { Catalog } from '../catalog.js';
import { accessDenied, SqlError, unknownDatabaseOnUse } from './errors.js';
import { executeSql } from './executor.js';
import {
  binaryRowPayload,
  columnDefinitionPayload,
  eofPayload,
  errPayload,
  lenencInt,
  nativePasswordMatches,
  okPayload,
  prepareOkPayload,
  textRowPayload,
} from './mysql-packets.js';
import { bindParameters, countParameters, decodeExecute } from './params.js';
import { type SqlResult, sqlColumnOf } from './result.js';
import { MYSQL_COMPAT_VERSION, type SqlSession } from './session.js';

/** The parts of mysql2's incoming Packet the handler reads. */
export interface WirePacket {
  readonly sequenceId: number;
  readonly numPackets: number;
  readonly buffer: Buffer;
  readonly offset: number;
  readonly end: number;
}

type NextState = (packet: WirePacket, conn: WireConnection) => unknown;

/** The parts of mysql2's server-side Connection the handler uses. */
export interface WireConnection {
  readonly stream: Socket;
  sequenceId: number;
  writePacket(packet: OutPacket): void;
  close(): void;
  on(event: 'error' | 'end', listener: (...args: unknown[]) => void): unknown;
  serverHandshake(args: Record<string, unknown>): { next: NextState };
}

interface AuthParams {
  readonly user: string;
  readonly database?: string;
  readonly authPluginData1: Buffer;
  readonly authPluginData2: Buffer;
  readonly authToken?: Buffer;
}

/** A payload framed by mysql2's `writePacket` (which fills the 4-byte header). */
export class OutPacket {
  readonly buffer: Buffer;
  constructor(payload: Buffer) {
    this.buffer = Buffer.concat([Buffer.alloc(4), payload]);
  }
  length(): number {
    return this.buffer.length;
  }
  writeHeader(sequenceId: number): void {
    this.buffer.writeUIntLE(this.buffer.length - 4, 0, 3);
    this.buffer[3] = sequenceId & 0xff;
  }
}

// LONG_PASSWORD | FOUND_ROWS | LONG_FLAG | CONNECT_WITH_DB | PROTOCOL_41 | TRANSACTIONS |
// SECURE_CONNECTION | PLUGIN_AUTH | CONNECT_ATTRS | PLUGIN_AUTH_LENENC_CLIENT_DATA
const CAPABILITIES = 0x1 | 0x2 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000 | 0x100000 | 0x200000;
const CHARSET_UTF8_GENERAL_CI = 33;

interface Prepared {
  readonly sql: string;
  readonly params: number;
  types: readonly (readonly [number, boolean])[];
}

export interface ConnectionOptions {
  readonly catalog: Catalog;
  readonly user: string;
  readonly password: string;
}

export class MysqlConnectionHandler {
  readonly session: SqlSession;
  #chain: Promise<void> = Promise.resolve();
  #authenticated = false;
  readonly #statements = new Map<number, Prepared>();
  #nextStatementId = 1;

  constructor(
    readonly conn: WireConnection,
    readonly opts: ConnectionOptions,
    readonly connectionId: number,
  ) {
    this.session = { db: null, host: conn.stream.remoteAddress ?? '%', connectionId };
  }

  start(): void {
    this.conn.on('error', () => undefined);
    const cmd = this.conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: MYSQL_COMPAT_VERSION,
      connectionId: this.connectionId,
      statusFlags: 0x0002,
      characterSet: CHARSET_UTF8_GENERAL_CI,
      capabilityFlags: CAPABILITIES,
      authCallback: (p: AuthParams, cb: (err: null) => void) => this.#authenticate(p, cb),
    });
    const readClientReply = cmd.next;
    const dispatch: NextState = (packet) => {
      const payload = Buffer.from(packet.buffer.subarray(packet.offset, packet.end));
      const seq = (packet.sequenceId + packet.numPackets) & 0xff;
      this.#chain = this.#chain.then(() => this.#command(payload, seq)).catch(() => undefined);
      return dispatch;
    };
    cmd.next = function (this: unknown, packet: WirePacket, conn: WireConnection) {
      readClientReply.call(this, packet, conn);
      conn.sequenceId = 0;
      return dispatch;
    };
  }

  #authenticate(p: AuthParams, cb: (err: null) => void): void {
    const token = p.authToken ?? Buffer.alloc(0);
    const scramble = Buffer.concat([p.authPluginData1, p.authPluginData2]).subarray(0, 20);
    if (p.user !== this.opts.user || !nativePasswordMatches(this.opts.password, scramble, token)) {
      this.#fail(accessDenied(p.user, token.length > 0));
      return;
    }
    const db = p.database ?? '';
    if (db !== '') {
      if (db.toLowerCase() === 'information_schema') this.session.db = 'information_schema';
      else if (this.opts.catalog.getDatabase(db)) this.session.db = db;
      else {
        this.#fail(unknownDatabaseOnUse(db));
        return;
      }
    }
    this.session.user = p.user;
    this.#authenticated = true;
    cb(null);
  }

  #fail(e: SqlError): void {
    this.conn.writePacket(new OutPacket(errPayload(e.code, e.sqlState, e.message)));
    this.conn.close();
  }

  #send(seq: number, payloads: readonly Buffer[]): void {
    if (this.conn.stream.destroyed) return;
    this.conn.sequenceId = seq;
    for (const p of payloads) this.conn.writePacket(new OutPacket(p));
    this.conn.sequenceId = 0;
  }

  #resultPayloads(r: SqlResult, binary: boolean): Buffer[] {
    if (r.kind === 'ok') return [okPayload(r.affectedRows, r.info ?? '')];
    const out: Buffer[] = [lenencInt(r.columns.length)];
    for (const c of r.columns) out.push(columnDefinitionPayload(c, this.session.db ?? ''));
    out.push(eofPayload());
    for (const row of r.rows) out.push(binary ? binaryRowPayload(r.columns, row) : textRowPayload(r.columns, row));
    out.push(eofPayload());
    return out;
  }

  #errorPayload(e: unknown): Buffer {
    if (e instanceof SqlError) return errPayload(e.code, e.sqlState, e.message);
    return errPayload(1064, 'HY000', `StarRocks emulator internal error: ${e instanceof Error ? e.message : String(e)}`);
  }

  async #run(seq: number, sql: string, binary: boolean): Promise<void> {
    try {
      const r = await executeSql(this.opts.catalog, this.session, sql);
      this.#send(seq, this.#resultPayloads(r, binary));
    } catch (e) {
      this.#send(seq, [this.#errorPayload(e)]);
    }
  }

  async #command(payload: Buffer, seq: number): Promise<void> {
    if (!this.#authenticated) return;
    const code = payload[0];
    const body = payload.subarray(1);
    switch (code) {
      case 0x01: // COM_QUIT
        this.conn.stream.end();
        return;
      case 0x02: // COM_INIT_DB
        return this.#run(seq, `USE \`${body.toString('utf8').replace(/`/g, '``')}\``, false);
      case 0x03: // COM_QUERY
        return this.#run(seq, body.toString('utf8'), false);
      case 0x04: // COM_FIELD_LIST
        return this.#fieldList(seq, body);
      case 0x0e: // COM_PING
      case 0x1a: // COM_STMT_RESET
        this.#send(seq, [okPayload(0)]);
        return;
      case 0x1f: // COM_RESET_CONNECTION
        this.#statements.clear();
        this.#send(seq, [okPayload(0)]);
        return;
      case 0x16: // COM_STMT_PREPARE
        return this.#prepare(seq, body.toString('utf8'));
      case 0x17: // COM_STMT_EXECUTE
        return this.#execute(seq, body);
      case 0x18: // COM_STMT_SEND_LONG_DATA: no response
        return;
      case 0x19: // COM_STMT_CLOSE: no response
        if (body.length >= 4) this.#statements.delete(body.readUInt32LE(0));
        return;
      default:
        this.#send(seq, [errPayload(1047, '08S01', 'Unknown command')]);
    }
  }

  #prepare(seq: number, sql: string): void {
    let params: number;
    try {
      params = countParameters(sql);
    } catch (e) {
      this.#send(seq, [this.#errorPayload(e)]);
      return;
    }
    const id = this.#nextStatementId++;
    this.#statements.set(id, { sql, params, types: [] });
    const out = [prepareOkPayload(id, 0, params)];
    if (params > 0) {
      for (let i = 0; i < params; i++) out.push(columnDefinitionPayload({ name: '?', type: 'VAR_STRING' }));
      out.push(eofPayload());
    }
    this.#send(seq, out);
  }

  async #execute(seq: number, body: Buffer): Promise<void> {
    let sql: string;
    try {
      const req = decodeExecute(
        body,
        (id) => this.#statements.get(id)?.params ?? 0,
        (id) => this.#statements.get(id)?.types ?? [],
      );
      const st = this.#statements.get(req.statementId);
      if (!st) throw new SqlError(1243, 'HY000', `Unknown prepared statement handler (${req.statementId}) given to mysqld_stmt_execute`);
      if (req.types.length > 0) st.types = req.types;
      sql = bindParameters(st.sql, req.values);
    } catch (e) {
      this.#send(seq, [this.#errorPayload(e)]);
      return;
    }
    return this.#run(seq, sql, true);
  }

  #fieldList(seq: number, body: Buffer): void {
    const nul = body.indexOf(0);
    const name = body.subarray(0, nul < 0 ? body.length : nul).toString('utf8');
    const db = this.session.db;
    const table = db === null ? undefined : this.opts.catalog.getTable(db, name);
    if (!table) {
      this.#send(seq, [errPayload(1064, 'HY000', `Getting analyzing error. Detail message: Unknown table '${name}'.`)]);
      return;
    }
    const out = table.columns.map((c) => columnDefinitionPayload(sqlColumnOf(c.name, c.type), db ?? '', table.name));
    out.push(eofPayload());
    this.#send(seq, out);
  }
}
