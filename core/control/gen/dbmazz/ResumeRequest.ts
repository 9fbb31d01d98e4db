// Original file: proto/dbmazz.proto


export interface ResumeRequest {
}

export interface ResumeRequest__Output {
}
