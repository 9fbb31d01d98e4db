/**
 * Bearer-token authentication for the gRPC API (GRPC_AUTH_TOKEN): a server interceptor that checks the
 * `authorization: Bearer <token>` metadata of every call before its handler runs. Health checks
 * (dbmazz.HealthService and grpc.health.v1.Health) stay open so probes need no secret; everything else,
 * reflection included, answers UNAUTHENTICATED without the right token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';

/** Method paths callable without a token. */
export const OPEN_PATH_PREFIXES = ['/dbmazz.HealthService/', '/grpc.health.v1.Health/'] as const;

export function isOpenPath(path: string): boolean {
  return OPEN_PATH_PREFIXES.some((p) => path.startsWith(p));
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Pure: whether one `authorization` value is `Bearer <token>` (scheme case-insensitive, constant-time
 * compare). Shared by the gRPC interceptor and the dashboard's HTTP control routes.
 */
export function bearerMatches(value: string, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), digest(token));
}

/** Pure: whether the metadata carries `Bearer <token>`. */
export function hasBearerToken(metadata: grpc.Metadata, token: string): boolean {
  return metadata.get('authorization').some((value) => typeof value === 'string' && bearerMatches(value, token));
}

export function bearerAuthInterceptor(token: string): grpc.ServerInterceptor {
  return (method, call) => {
    if (isOpenPath(method.path)) return new grpc.ServerInterceptingCall(call);
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (hasBearerToken(metadata, token)) {
          next(metadata);
          return;
        }
        const sent = metadata.get('authorization').length > 0;
        call.sendStatus({
          code: grpc.status.UNAUTHENTICATED,
          details: sent ? 'Invalid bearer token' : 'Missing metadata "authorization: Bearer <token>" (GRPC_AUTH_TOKEN is set)',
        });
      })
      .build();
    const responder = new grpc.ResponderBuilder().withStart((next) => next(listener)).build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}
