/** Server credentials: TLS from GRPC_TLS_CERT/GRPC_TLS_KEY (PEM files), plaintext otherwise. */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { CdcError } from '../errors/errors.js';
import type { GrpcSettings } from './settings.js';

export function serverCredentials(tls: GrpcSettings['tls']): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(tls.certFile);
    key = readFileSync(tls.keyFile);
  } catch (err) {
    throw new CdcError({
      code: 'CONFIG_INVALID',
      message: `Cannot read the gRPC TLS files: ${err instanceof Error ? err.message : String(err)}`,
      hint: 'Check GRPC_TLS_CERT and GRPC_TLS_KEY.',
    });
  }
  try {
    // No client certificates are requested; clients authenticate with GRPC_AUTH_TOKEN.
    return grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
  } catch (err) {
    throw new CdcError({
      code: 'CONFIG_INVALID',
      message: `The gRPC TLS certificate or key is not valid PEM: ${err instanceof Error ? err.message : String(err)}`,
      hint: 'GRPC_TLS_CERT must hold the PEM certificate chain and GRPC_TLS_KEY its PEM private key.',
    });
  }
}
