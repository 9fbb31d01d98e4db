// Original file: proto/dbmazz.proto


export interface DrainRequest {
}

export interface DrainRequest__Output {
}
