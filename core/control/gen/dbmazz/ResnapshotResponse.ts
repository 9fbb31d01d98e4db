// Original file: proto/dbmazz.proto


export interface ResnapshotResponse {
  'message'?: (string);
  'tables'?: (string)[];
}

export interface ResnapshotResponse__Output {
  'message': (string);
  'tables': (string)[];
}
