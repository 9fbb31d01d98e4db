// Original file: proto/dbmazz.proto


export interface ResnapshotRequest {
  'tables'?: (string)[];
}

export interface ResnapshotRequest__Output {
  'tables': (string)[];
}
