// Original file: proto/dbmazz.proto

import type { Long } from '@grpc/proto-loader';

export interface MetricsResponse {
  'timestamp'?: (number | string | Long);
  'eventsPerSecond'?: (number | string);
  'lagBytes'?: (number | string | Long);
  'lagEvents'?: (number | string | Long);
  'memoryBytes'?: (number | string | Long);
  'totalEventsProcessed'?: (number | string | Long);
  'totalBatchesSent'?: (number | string | Long);
  'cpuMillicores'?: (number | string | Long);
}

export interface MetricsResponse__Output {
  'timestamp': (string);
  'eventsPerSecond': (number);
  'lagBytes': (string);
  'lagEvents': (string);
  'memoryBytes': (string);
  'totalEventsProcessed': (string);
  'totalBatchesSent': (string);
  'cpuMillicores': (string);
}
