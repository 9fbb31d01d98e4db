// Original file: proto/dbmazz.proto


export interface StopRequest {
  'skipSlotCleanup'?: (boolean);
}

export interface StopRequest__Output {
  'skipSlotCleanup': (boolean);
}
