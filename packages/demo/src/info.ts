/** What the demo prints before it starts the traffic: the daemon's configuration and where to look. */
import { createServer } from 'node:net';
import { freePort } from 'dbmazz-postgres-sandbox';

/** Pure: a value quoted for a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Pure: `export NAME=value` lines, in the given order. */
export function exportLines(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
}

export interface Endpoints {
  readonly grpcPort: number;
  readonly metricsPort: number;
  readonly mysqlPort: number;
  readonly pgUrl: string;
  readonly token: string | undefined;
  readonly logFile: string;
}

/** Pure: the "where to look" block. */
export function whereToLook(e: Endpoints): string[] {
  const grpc = `127.0.0.1:${e.grpcPort}`;
  const auth = e.token === undefined ? '' : ` -H ${shellQuote(`authorization: Bearer ${e.token}`)}`;
  const http = `http://127.0.0.1:${e.metricsPort}`;
  return [
    `  gRPC API      ${grpc}`,
    `                grpcurl -plaintext${auth} ${grpc} dbmazz.CdcStatusService/GetStatus`,
    `                grpcurl -plaintext${auth} -d '{"interval_ms": 1000}' ${grpc} dbmazz.CdcMetricsService/StreamMetrics`,
    `  Prometheus    ${http}/metrics`,
    `  Dashboard     ${http}/dashboard${e.token === undefined ? '' : '   (Pause/Resume ask for the token)'}`,
    `  StarRocks     mysql -h 127.0.0.1 -P ${e.mysqlPort} -u root -e 'select count(*) from demo.orders'`,
    `  PostgreSQL    psql ${shellQuote(e.pgUrl)} -c 'select count(*) from orders'`,
    `  dbmazz log    ${e.logFile}`,
  ];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** `preferred` when it is free on 127.0.0.1, else any free port. */
export async function pickPort(preferred: number): Promise<number> {
  if (preferred !== 0 && (await canListen(preferred))) return preferred;
  return freePort();
}
