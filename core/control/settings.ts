/**
 * The control API, metrics and setup-retry settings, read from the validated core settings
 * (GRPC_*, METRICS_*, SETUP_* in core/config/core-settings.ts), plus the checks that involve files or
 * two variables (reported like every other configuration problem, before anything is started).
 */
import { accessSync, constants } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Settings } from '../plugin/settings.js';

export interface GrpcSettings {
  readonly host: string;
  readonly port: number;
  readonly authToken: string | undefined;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
}

export interface MetricsHttpSettings {
  readonly host: string;
  readonly port: number;
}

export interface SetupRetrySettings {
  /** 0 = no limit. */
  readonly maxAttempts: number;
  readonly delayMs: number;
}

export interface ControlSettings {
  readonly grpc: GrpcSettings;
  /** Undefined when METRICS_PORT is not set. */
  readonly metrics: MetricsHttpSettings | undefined;
  readonly setup: SetupRetrySettings;
}

function str(s: Settings, env: string): string | undefined {
  const v = s[env];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function int(s: Settings, env: string): number | undefined {
  const v = s[env];
  return typeof v === 'number' ? v : undefined;
}

function path(file: string, cwd: string): string {
  return isAbsolute(file) ? file : resolve(cwd, file);
}

export function readControlSettings(s: Settings, cwd: string): ControlSettings {
  const cert = str(s, 'GRPC_TLS_CERT');
  const key = str(s, 'GRPC_TLS_KEY');
  const metricsPort = int(s, 'METRICS_PORT');
  return {
    grpc: {
      host: str(s, 'GRPC_HOST') ?? '127.0.0.1',
      port: int(s, 'GRPC_PORT') ?? 50051,
      authToken: str(s, 'GRPC_AUTH_TOKEN'),
      tls: cert !== undefined && key !== undefined ? { certFile: path(cert, cwd), keyFile: path(key, cwd) } : undefined,
    },
    metrics: metricsPort === undefined ? undefined : { host: str(s, 'METRICS_HOST') ?? '127.0.0.1', port: metricsPort },
    setup: { maxAttempts: int(s, 'SETUP_MAX_ATTEMPTS') ?? 3, delayMs: int(s, 'SETUP_RETRY_DELAY_MS') ?? 2000 },
  };
}

/** Problems of the control settings that a JSON Schema cannot see: TLS files as a pair, readable. */
export function controlSettingProblems(s: Settings, cwd: string): string[] {
  const problems: string[] = [];
  const cert = str(s, 'GRPC_TLS_CERT');
  const key = str(s, 'GRPC_TLS_KEY');
  if ((cert === undefined) !== (key === undefined)) {
    const [set, missing] = cert === undefined ? ['GRPC_TLS_KEY', 'GRPC_TLS_CERT'] : ['GRPC_TLS_CERT', 'GRPC_TLS_KEY'];
    problems.push(`${missing}: required when ${set} is set (TLS needs both the certificate and its key)`);
  }
  for (const [env, file] of [
    ['GRPC_TLS_CERT', cert],
    ['GRPC_TLS_KEY', key],
  ] as const) {
    if (file === undefined) continue;
    try {
      accessSync(path(file, cwd), constants.R_OK);
    } catch (err) {
      const code = err instanceof Error && 'code' in err ? String((err as { code?: unknown }).code) : 'unreadable';
      problems.push(`${env}: cannot read '${path(file, cwd)}' (${code})`);
    }
  }
  return problems;
}
