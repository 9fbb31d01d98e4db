// Original file: proto/dbmazz.proto


export interface MetricsRequest {
  'intervalMs'?: (number);
}

export interface MetricsRequest__Output {
  'intervalMs': (number);
}
