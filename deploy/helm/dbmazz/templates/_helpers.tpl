{{/* Name prefix of every object: the release name. */}}
{{- define "dbmazz.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels selecting one pipeline's pods. Argument: dict "root" $ "pipeline" <name>. */}}
{{- define "dbmazz.selectorLabels" -}}
app.kubernetes.io/name: dbmazz
app.kubernetes.io/instance: {{ .root.Release.Name }}
dbmazz.io/pipeline: {{ .pipeline }}
{{- end -}}

{{- define "dbmazz.labels" -}}
{{ include "dbmazz.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}
