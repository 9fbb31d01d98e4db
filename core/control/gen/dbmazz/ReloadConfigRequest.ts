// Original file: proto/dbmazz.proto

import type { Long } from '@grpc/proto-loader';

export interface ReloadConfigRequest {
  'flushSize'?: (number | string | Long);
  'flushIntervalMs'?: (number | string | Long);
  'tables'?: (string)[];
}

export interface ReloadConfigRequest__Output {
  'flushSize': (string);
  'flushIntervalMs': (string);
  'tables': (string)[];
}
