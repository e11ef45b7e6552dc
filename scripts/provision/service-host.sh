#!/usr/bin/env bash
# Provisioning step 2 on a service host (after common.sh, and after control-plane.sh has issued this host's
# token): a demo service behind kuma-dp with transparent proxying and mTLS.
#   - the demo service: kuma-tcp-echo on APP_PORT as user nobody (answers an HTTP request with the request),
#   - /etc/kuma/dataplanes/NAME.yaml: a Dataplane with one inbound (kuma.io/service SERVICE) and
#     transparentProxying (inbound 15006, outbound 15001): kuma-dp registers it with the control plane,
#   - the dataplane token and kuma-cp's CA certificate from MESHLITE_SHARED (waits for them up to 10 min),
#   - `kuma-init install`: iptables redirection to Envoy, DNS redirection to kuma-dp's DNS proxy (so
#     SERVICE.mesh names resolve), uid 5678 (kuma-dp) exempt, inbound SSH (22) left alone,
#   - kuma-dp as user kuma-dp (5678) with its token and the CA (kuma-dp@NAME.service, or service.sh),
#     waited for until Envoy is ready.
#
#   service-host.sh --cp-address IP --address IP --name NAME [--service SERVICE] [--app-port PORT]
#     --cp-address IP   kuma-cp's address (dp-server https://IP:5678)
#     --address IP      this host's address in the mesh (the Dataplane's networking.address)
#     --name NAME       the Dataplane's name (its token is MESHLITE_SHARED/tokens/NAME.token)
#     --service SERVICE kuma.io/service of the inbound (default: NAME); reachable as SERVICE.mesh
#     --app-port PORT   the demo service's port (default 8080)
#   env: MESHLITE_SHARED (default /vagrant/.cluster), KUMA_HOME, MESHLITE_INIT, MESHLITE_HOST_ROOT (lib.sh)
set -euo pipefail
MESHLITE_STEP="service-host"
cp_address="" address="" name="" service="" app_port=8080
while [ $# -gt 0 ]; do
  case $1 in
    --cp-address) cp_address=${2:?--cp-address needs an IP}; shift 2 ;;
    --address) address=${2:?--address needs an IP}; shift 2 ;;
    --name) name=${2:?--name needs a name}; shift 2 ;;
    --service) service=${2:?--service needs a name}; shift 2 ;;
    --app-port) app_port=${2:?--app-port needs a port}; shift 2 ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "service-host.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done
# shellcheck source=scripts/provision/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -n "$cp_address" ] || mp_fail "--cp-address is required"
[ -n "$address" ] || mp_fail "--address is required"
[ -n "$name" ] || mp_fail "--name is required"
service=${service:-$name}
MESHLITE_STEP="service-host $name"
[ -x "$KUMA_HOME/bin/kuma-dp" ] || mp_fail "$KUMA_HOME/bin/kuma-dp is missing: run common.sh first"

# ---------------------------------------------------------------- token and CA from the control plane
token_src=$MESHLITE_SHARED/tokens/$name.token
mp_log "waiting for $token_src and $MESHLITE_SHARED/ca.crt (control-plane.sh writes them)"
mp_wait "the token and CA from the control plane" 600 test -s "$token_src" -a -s "$MESHLITE_SHARED/ca.crt"
mkdir -p "$KUMA_ETC/tokens" "$KUMA_ETC/dataplanes"
install -m 0644 "$MESHLITE_SHARED/ca.crt" "$KUMA_ETC/cp-ca.crt"
install -m 0640 -o root -g kuma-dp "$token_src" "$KUMA_ETC/tokens/$name"
chmod 0750 "$KUMA_ETC/tokens"
chgrp kuma-dp "$KUMA_ETC/tokens"

# ---------------------------------------------------------------- the demo service
if [ "$MESHLITE_INIT" = systemd ]; then
  cat >/etc/systemd/system/kuma-demo-app.service <<UNIT
# The demo service of the demo cluster (scripts/provision/service-host.sh).
[Unit]
Description=Demo service $service (kuma-tcp-echo on :$app_port)
After=network-online.target

[Service]
User=nobody
ExecStart=$KUMA_HOME/bin/kuma-tcp-echo --port $app_port
Restart=on-failure

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
else
  mp_define_service kuma-demo-app nobody - "$KUMA_HOME/bin/kuma-tcp-echo" --port "$app_port"
fi
mp_service enable kuma-demo-app
mp_wait "the demo service listening on :$app_port" 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$app_port"
mp_log "demo service $service listens on :$app_port"

# ---------------------------------------------------------------- the Dataplane
cat >"$KUMA_ETC/dataplanes/$name.yaml" <<YAML
type: Dataplane
mesh: default
name: $name
networking:
  address: $address
  inbound:
  - port: $app_port
    tags:
      kuma.io/service: $service
      kuma.io/protocol: tcp
  transparentProxying:
    redirectPortInbound: 15006
    redirectPortOutbound: 15001
    ipFamilyMode: IPv4
YAML

# ---------------------------------------------------------------- transparent proxy
"$KUMA_HOME/bin/kuma-init" uninstall >/dev/null 2>&1 || true
"$KUMA_HOME/bin/kuma-init" install --kuma-dp-user "$KUMA_DP_UID" --ip-family-mode ipv4 \
  --redirect-dns --exclude-inbound-ports 22 >/dev/null || mp_fail "kuma-init install failed"
mp_log "kuma-init: traffic redirected to Envoy (15001 out, 15006 in), DNS to kuma-dp (15053), uid $KUMA_DP_UID exempt"

# ---------------------------------------------------------------- kuma-dp
work=$DP_RUN/$name
# kuma-dp and Envoy put Unix sockets in the work dir (the /dns table, merged metrics): sun_path holds 107 bytes.
sock=$work/kuma-mh-$name-default.sock
[ ${#sock} -le 107 ] || mp_fail "the kuma-dp work dir $work is too long for its Unix sockets ($sock: ${#sock} > 107 bytes): use a shorter MESHLITE_HOST_ROOT"
env_file=$KUMA_ETC/kuma-dp-$name.env
cat >"$env_file" <<ENV
# kuma-dp@$name settings (written by scripts/provision/service-host.sh)
KUMA_CONTROL_PLANE_URL=https://$cp_address:5678
KUMA_CONTROL_PLANE_CA_CERT_FILE=$KUMA_ETC/cp-ca.crt
KUMA_DATAPLANE_RUNTIME_RESOURCE_PATH=$KUMA_ETC/dataplanes/$name.yaml
KUMA_DATAPLANE_RUNTIME_TOKEN_PATH=$KUMA_ETC/tokens/$name
KUMA_DATAPLANE_RUNTIME_WORK_DIR=$work
KUMA_DATAPLANE_RUNTIME_BINARY_PATH=$KUMA_HOME/bin/envoy
KUMA_DATAPLANE_ADMIN_PORT=9901
ENV
chmod 0644 "$env_file"
if [ "$MESHLITE_INIT" = systemd ]; then
  unit=kuma-dp@$name
else
  unit=kuma-dp-$name
  mkdir -p "$work"
  chown kuma-dp:kuma-dp "$work"
  chmod 0750 "$work"
  mp_define_service "$unit" kuma-dp "$env_file" "$KUMA_HOME/bin/kuma-dp" run
fi
mp_service enable "$unit"
deadline=$((SECONDS + 120))
until mp_http_ok http://127.0.0.1:9901/ready; do
  [ $SECONDS -lt $deadline ] || { mp_service_log "$unit" >&2; mp_fail "Envoy of $name is not ready after 120 s"; }
  sleep 0.5
done
mp_log "kuma-dp $name connected to https://$cp_address:5678; Envoy ready (admin 127.0.0.1:9901)"
mp_log "done: this host's service is $service.mesh"
