// Original file: proto/dbmazz.proto


export interface PauseRequest {
}

export interface PauseRequest__Output {
}
