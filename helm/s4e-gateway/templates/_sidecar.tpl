{{/*
The gateway, for this chart's Deployment and for an app chart that runs it beside its own container.

An app chart adds this chart as a dependency (alias-free, `deployment.enabled: false`, so only the ConfigMap, the
Secret and the monitoring objects are rendered) and includes these templates in its own pod spec, with the
dependency's context:

  metadata:
    annotations:
      {{- include "s4e-gateway.podAnnotations" (index .Subcharts "s4e-gateway") | nindent 8 }}
  spec:
    initContainers:
      {{- include "s4e-gateway.sidecar" (index .Subcharts "s4e-gateway") | nindent 8 }}
    volumes:
      {{- include "s4e-gateway.volumes" (index .Subcharts "s4e-gateway") | nindent 8 }}

See docs/kubernetes.md.
*/}}

{{/* The gateway as a Kubernetes native sidecar: one item of initContainers with restartPolicy Always, so it starts
before the app's containers and stops after them (Kubernetes 1.29 and later). */}}
{{- define "s4e-gateway.sidecar" -}}
- {{ include "s4e-gateway.container" . | indent 2 | trim }}
  restartPolicy: Always
{{- end }}

{{/* The pod's volumes the gateway mounts: its ConfigMap (routes and settings) and a writable /tmp. */}}
{{- define "s4e-gateway.volumes" -}}
- name: s4e-gateway-config
  configMap:
    name: {{ include "s4e-gateway.fullname" . }}
- name: s4e-gateway-tmp
  emptyDir: {}
{{- end }}

{{/* Pod annotations: checksums that roll the pods when settings or secrets change, and the scrape hints. Routes
are left out: the gateway reloads them from the mounted ConfigMap without a restart. */}}
{{- define "s4e-gateway.podAnnotations" -}}
checksum/s4e-gateway-config: {{ toJson (dict "config" .Values.gateway.config "appPort" .Values.app.port) | sha256sum }}
{{- if .Values.secrets.existingSecret }}
{{- with .Values.secrets.checksum }}
checksum/s4e-gateway-secret: {{ . | toString | sha256sum }}
{{- end }}
{{- else }}
checksum/s4e-gateway-secret: {{ toJson .Values.secrets.values | sha256sum }}
{{- end }}
{{- if .Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/path: /actuator/prometheus
prometheus.io/port: {{ .Values.gateway.managementPort | quote }}
{{- end }}
{{- end }}

{{/* gateway.yml of the ConfigMap: the routes (uri defaulting to the app on localhost) and gateway.config. */}}
{{- define "s4e-gateway.configYaml" -}}
{{- $routes := list }}
{{- range .Values.routes }}
{{- $route := deepCopy . }}
{{- if not $route.uri }}
{{- $_ := set $route "uri" (printf "http://127.0.0.1:%v" $.Values.app.port) }}
{{- end }}
{{- $routes = append $routes $route }}
{{- end }}
{{- $config := dict "spring" (dict "cloud" (dict "gateway" (dict "server" (dict "webflux" (dict "routes" $routes))))) }}
{{- $config = mustMergeOverwrite (deepCopy .Values.gateway.config) $config }}
{{- toYaml $config }}
{{- end }}

{{/* The gateway container (without restartPolicy). */}}
{{- define "s4e-gateway.container" -}}
name: {{ .Values.gateway.containerName }}
image: "{{ .Values.gateway.image.repository }}:{{ .Values.gateway.image.tag | default .Chart.AppVersion }}"
imagePullPolicy: {{ .Values.gateway.image.pullPolicy }}
ports:
  - name: {{ .Values.gateway.portName }}
    containerPort: {{ .Values.gateway.port }}
    protocol: TCP
  - name: management
    containerPort: {{ .Values.gateway.managementPort }}
    protocol: TCP
env:
  - name: SERVER_PORT
    value: {{ .Values.gateway.port | quote }}
  - name: MANAGEMENT_SERVER_PORT
    value: {{ .Values.gateway.managementPort | quote }}
  - name: SPRING_CONFIG_ADDITIONAL_LOCATION
    value: file:/etc/s4e-gateway/gateway.yml
  - name: S4E_APP_URL
    value: {{ printf "http://127.0.0.1:%v" .Values.app.port | quote }}
  {{- if .Values.gateway.javaOptions }}
  - name: JDK_JAVA_OPTIONS
    value: {{ .Values.gateway.javaOptions | quote }}
  {{- end }}
  - name: LOGGING_STRUCTURED_FORMAT_CONSOLE
    value: {{ ternary "ecs" "" .Values.gateway.jsonLogs | quote }}
  {{- with .Values.gateway.trustedProxies }}
  - name: S4E_TRUSTED_PROXIES
    value: {{ join "," . | quote }}
  {{- end }}
  {{- with .Values.gateway.webauthn }}
  {{- with .rpId }}
  - name: S4E_WEBAUTHN_RP_ID
    value: {{ . | quote }}
  {{- end }}
  {{- with .origins }}
  - name: S4E_WEBAUTHN_ORIGINS
    value: {{ join "," . | quote }}
  {{- end }}
  {{- end }}
  # PostgreSQL (external)
  {{- $pg := .Values.postgresql }}
  {{- $options := ternary "" (printf "&%s" $pg.options) (empty $pg.options) }}
  - name: SPRING_R2DBC_URL
  {{- if $pg.hosts }}
    # multi-host: the driver tries each host and takes one that is targetServerType (docs/stores.md)
    value: {{ printf "r2dbc:postgresql:failover://%s/%s?targetServerType=%s%s" (join "," (prepend $pg.hosts (printf "%s:%v" $pg.host $pg.port))) $pg.database $pg.targetServerType $options | quote }}
  {{- else }}
    value: {{ printf "r2dbc:postgresql://%s:%v/%s?%s" $pg.host $pg.port $pg.database $pg.options | quote }}
  {{- end }}
  {{- with $pg.read.hosts }}
  # the read pool: uncached key lookups, account tiers and audit queries (docs/stores.md)
  - name: S4E_DATASOURCE_READ_URL
    value: {{ printf "r2dbc:postgresql:failover://%s/%s?targetServerType=%s%s" (join "," .) $pg.database $pg.read.targetServerType $options | quote }}
  - name: S4E_DATASOURCE_READ_POOL_SIZE
    value: {{ $pg.read.poolSize | quote }}
  {{- end }}
  - name: SPRING_R2DBC_USERNAME
    value: {{ .Values.postgresql.username | quote }}
  {{- include "s4e-gateway.secretEnv" (dict "root" . "env" "SPRING_R2DBC_PASSWORD" "key" "postgres-password" "optional" true) | nindent 2 }}
  # Redis ({{ .Values.redis.mode }})
  - name: S4E_REDIS_KEY_PREFIX
    value: {{ .Values.redis.keyPrefix | quote }}
  {{- if eq .Values.redis.mode "standalone" }}
  - name: SPRING_DATA_REDIS_HOST
    value: {{ .Values.redis.host | quote }}
  - name: SPRING_DATA_REDIS_PORT
    value: {{ .Values.redis.port | quote }}
  {{- else if eq .Values.redis.mode "sentinel" }}
  {{- if not .Values.redis.sentinel.nodes }}
  {{- fail "redis.sentinel.nodes must list the sentinels (host:port) when redis.mode is sentinel" }}
  {{- end }}
  - name: SPRING_DATA_REDIS_SENTINEL_MASTER
    value: {{ .Values.redis.sentinel.master | quote }}
  - name: SPRING_DATA_REDIS_SENTINEL_NODES
    value: {{ join "," .Values.redis.sentinel.nodes | quote }}
  {{- include "s4e-gateway.secretEnv" (dict "root" . "env" "SPRING_DATA_REDIS_SENTINEL_PASSWORD" "key" "redis-password" "optional" true) | nindent 2 }}
  {{- else if eq .Values.redis.mode "cluster" }}
  {{- if not .Values.redis.cluster.nodes }}
  {{- fail "redis.cluster.nodes must list seed nodes (host:port) when redis.mode is cluster" }}
  {{- end }}
  - name: SPRING_DATA_REDIS_CLUSTER_NODES
    value: {{ join "," .Values.redis.cluster.nodes | quote }}
  - name: SPRING_DATA_REDIS_CLUSTER_MAX_REDIRECTS
    value: {{ .Values.redis.cluster.maxRedirects | quote }}
  {{- else }}
  {{- fail (printf "redis.mode must be standalone, sentinel or cluster, not %q" .Values.redis.mode) }}
  {{- end }}
  - name: SPRING_DATA_REDIS_SSL_ENABLED
    value: {{ .Values.redis.ssl | quote }}
  {{- include "s4e-gateway.secretEnv" (dict "root" . "env" "SPRING_DATA_REDIS_PASSWORD" "key" "redis-password" "optional" true) | nindent 2 }}
  # Sessions and captcha
  {{- include "s4e-gateway.secretEnv" (dict "root" . "env" "S4E_SESSION_JWT_SECRET" "key" "jwt-secret") | nindent 2 }}
  {{- range $vendor := list "googlev3" "googlev2" "hcaptcha" "turnstile" }}
  {{- include "s4e-gateway.secretEnv" (dict "root" $ "env" (printf "S4E_CAPTCHA_VENDORS_%s_SECRET" (upper $vendor)) "key" (printf "captcha-%s-secret" $vendor) "optional" true) | nindent 2 }}
  {{- end }}
  {{- with .Values.mail.host }}
  # SMTP for MFA e-mail codes
  - name: SPRING_MAIL_HOST
    value: {{ . | quote }}
  - name: SPRING_MAIL_PORT
    value: {{ $.Values.mail.port | quote }}
  - name: SPRING_MAIL_USERNAME
    value: {{ $.Values.mail.username | quote }}
  {{- include "s4e-gateway.secretEnv" (dict "root" $ "env" "SPRING_MAIL_PASSWORD" "key" "smtp-password" "optional" true) | nindent 2 }}
  {{- end }}
  - name: S4E_MFA_MAIL_FROM
    value: {{ .Values.mail.from | quote }}
  # Bootstrap
  {{- with .Values.bootstrap.adminEmail }}
  - name: S4E_BOOTSTRAP_ADMIN_EMAIL
    value: {{ . | quote }}
  {{- end }}
  {{- include "s4e-gateway.secretEnv" (dict "root" . "env" "S4E_BOOTSTRAP_ADMIN_PASSWORD" "key" "bootstrap-admin-password" "optional" true) | nindent 2 }}
  {{- include "s4e-gateway.secretEnv" (dict "root" . "env" "S4E_BOOTSTRAP_ADMIN_API_KEY" "key" "bootstrap-admin-api-key" "optional" true) | nindent 2 }}
  {{- with .Values.gateway.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with .Values.gateway.envFrom }}
envFrom:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumeMounts:
  - name: s4e-gateway-config
    mountPath: /etc/s4e-gateway
    readOnly: true
  - name: s4e-gateway-tmp
    mountPath: /tmp
  {{- with .Values.gateway.extraVolumeMounts }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with .Values.gateway.startupProbe }}
startupProbe:
  {{- toYaml . | nindent 2 }}
{{- end }}
livenessProbe:
  {{- toYaml .Values.gateway.livenessProbe | nindent 2 }}
readinessProbe:
  {{- toYaml .Values.gateway.readinessProbe | nindent 2 }}
{{- if .Values.gateway.preStopSleepSeconds }}
lifecycle:
  preStop:
    exec:
      command: ["sleep", {{ .Values.gateway.preStopSleepSeconds | quote }}]
{{- end }}
resources:
  {{- toYaml .Values.gateway.resources | nindent 2 }}
{{- with .Values.gateway.securityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
