// Original file: proto/dbmazz.proto


export interface ControlResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface ControlResponse__Output {
  'success': (boolean);
  'message': (string);
}
