// Original file: proto/dbmazz.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
