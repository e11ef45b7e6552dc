#!/usr/bin/env bash
# Provisioning step 2 on the control-plane host (after common.sh): kuma-cp on PostgreSQL.
#   - PostgreSQL from Debian (with systemd: the packaged cluster on 127.0.0.1:5432; direct: a server of its
#     own started by scripts/postgres.sh), a role and database kuma,
#   - /etc/kuma/kuma-cp.env (store settings, the CP address in the dp-server certificate), `kuma-cp migrate up`,
#   - kuma-cp as a service (kuma-cp.service, or service.sh in direct mode), waited for until ready,
#   - the Mesh default with mTLS from a builtin CA, and a MeshTrafficPermission allowing all traffic in it,
#   - for each service host: a dataplane token, written with the CP's CA certificate to MESHLITE_SHARED.
#
#   control-plane.sh --address IP --dataplanes "NAME..."
#     --address IP        the address the service hosts reach kuma-cp on (put into its TLS certificate)
#     --dataplanes NAMES  names of the Dataplanes to issue tokens for (one per service host), e.g. "web backend"
#   env: MESHLITE_SHARED (default /vagrant/.cluster), KUMA_HOME, MESHLITE_INIT, MESHLITE_HOST_ROOT (lib.sh)
# Idempotent: a second run keeps the database, the mesh CA and the resources; tokens are issued again.
set -euo pipefail
MESHLITE_STEP=control-plane
address="" dataplanes=""
while [ $# -gt 0 ]; do
  case $1 in
    --address) address=${2:?--address needs an IP}; shift 2 ;;
    --dataplanes) dataplanes=${2?--dataplanes needs names}; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "control-plane.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done
# shellcheck source=scripts/provision/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -n "$address" ] || mp_fail "--address is required (the IP the service hosts reach kuma-cp on)"
[ -x "$KUMA_HOME/bin/kuma-cp" ] || mp_fail "$KUMA_HOME/bin/kuma-cp is missing: run common.sh first"

kumactl() {
  "$KUMA_HOME/bin/kumactl" --no-config "$@"
}

# ---------------------------------------------------------------- PostgreSQL
env_file=$KUMA_ETC/kuma-cp.env
mkdir -p "$KUMA_ETC" "$CP_STATE"
if [ "$MESHLITE_INIT" = systemd ]; then
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    mp_log "installing postgresql (Debian)"
    mp_apt postgresql || mp_fail "apt-get install postgresql failed"
  fi
  systemctl enable --now postgresql >/dev/null 2>&1 || true
  pg_port=$(pg_lsclusters -h | awk '$4 == "online" { print $3; exit }')
  [ -n "$pg_port" ] || { systemctl start postgresql; sleep 2; pg_port=$(pg_lsclusters -h | awk '$4 == "online" { print $3; exit }'); }
  [ -n "$pg_port" ] || mp_fail "no PostgreSQL cluster is online (pg_lsclusters)"
  # The password is kept in the env file (root:kuma 0640); a second run reuses it.
  pg_password=$(sed -n 's/^KUMA_STORE_POSTGRES_PASSWORD=//p' "$env_file" 2>/dev/null || true)
  [ -n "$pg_password" ] || pg_password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  psql_admin() { runuser -u postgres -- psql -p "$pg_port" -v ON_ERROR_STOP=1 -qtA "$@"; }
  if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'kuma'")" ]; then
    psql_admin -c "CREATE ROLE kuma LOGIN PASSWORD '$pg_password'" >/dev/null
  else
    psql_admin -c "ALTER ROLE kuma PASSWORD '$pg_password'" >/dev/null
  fi
  if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'kuma'")" ]; then
    psql_admin -c "CREATE DATABASE kuma OWNER kuma" >/dev/null
  fi
  mp_log "PostgreSQL: cluster on 127.0.0.1:$pg_port, role and database kuma"
else
  # No systemd: a server of its own in $R/var/lib/postgresql/kuma (scripts/postgres.sh: initdb, pg_ctl start,
  # role and database kuma). service.sh stop-all stops it.
  pg_port=5432
  pg_dir=$R/var/lib/postgresql/kuma
  mkdir -p "$pg_dir"
  bash "$MESHLITE_REPO/scripts/postgres.sh" start "$pg_dir" "$pg_port" >/dev/null
  mkdir -p "$SVC_PIDS"
  echo "$pg_dir" >"$SVC_PIDS/postgresql.datadir"
  pg_password=kuma
  mp_log "PostgreSQL: own server in $pg_dir on 127.0.0.1:$pg_port, role and database kuma"
fi

# ---------------------------------------------------------------- kuma-cp
[ -f "$KUMA_ETC/kuma-cp.conf.yaml" ] || install -m 0644 "$KUMA_HOME/conf/kuma-cp.conf.yaml" "$KUMA_ETC/kuma-cp.conf.yaml"
umask 027
cat >"$env_file" <<ENV
# kuma-cp settings (written by scripts/provision/control-plane.sh); KUMA_* override kuma-cp.conf.yaml.
KUMA_GENERAL_WORK_DIR=$CP_STATE
KUMA_GENERAL_TLS_EXTRA_SANS=$address
KUMA_STORE_TYPE=postgres
KUMA_STORE_POSTGRES_HOST=127.0.0.1
KUMA_STORE_POSTGRES_PORT=$pg_port
KUMA_STORE_POSTGRES_USER=kuma
KUMA_STORE_POSTGRES_PASSWORD=$pg_password
KUMA_STORE_POSTGRES_DB_NAME=kuma
KUMA_STORE_POSTGRES_TLS_MODE=disable
ENV
umask 022
chown root:kuma "$env_file"
chmod 0640 "$env_file"
chown kuma:kuma "$CP_STATE"
chmod 0750 "$CP_STATE"

mp_log "kuma-cp migrate up"
(
  set -a
  # shellcheck source=/dev/null
  . "$env_file"
  set +a
  setpriv --reuid="$(id -u kuma)" --regid="$(id -g kuma)" --init-groups -- \
    "$KUMA_HOME/bin/kuma-cp" migrate up --config-file="$KUMA_ETC/kuma-cp.conf.yaml"
) || mp_fail "kuma-cp migrate up failed"

if [ "$MESHLITE_INIT" = direct ]; then
  mp_define_service kuma-cp kuma "$env_file" "$KUMA_HOME/bin/kuma-cp" run --config-file="$KUMA_ETC/kuma-cp.conf.yaml"
fi
mp_service enable kuma-cp
cp_ready() {
  mp_http_ok http://127.0.0.1:5680/ready
}
deadline=$((SECONDS + 120))
until cp_ready; do
  [ $SECONDS -lt $deadline ] || { mp_service_log kuma-cp >&2; mp_fail "kuma-cp is not ready after 120 s"; }
  sleep 0.5
done
mp_log "kuma-cp is ready (REST API on 127.0.0.1:5681, dp-server on $address:5678)"

# ---------------------------------------------------------------- mesh
policies=$KUMA_ETC/policies
mkdir -p "$policies"
cat >"$policies/mesh-default.yaml" <<'YAML'
type: Mesh
name: default
mtls:
  enabledBackend: ca-1
  backends:
  - name: ca-1
    type: builtin
YAML
cat >"$policies/allow-all.yaml" <<'YAML'
type: MeshTrafficPermission
mesh: default
name: allow-all
spec:
  targetRef:
    kind: Mesh
  from:
  - targetRef:
      kind: Mesh
    default:
      action: Allow
YAML
for f in mesh-default allow-all; do
  kumactl apply -f "$policies/$f.yaml" >/dev/null || mp_fail "kumactl apply -f $policies/$f.yaml failed"
done
mp_log "mesh default: mTLS with the builtin CA ca-1; MeshTrafficPermission allow-all"

# ---------------------------------------------------------------- tokens and the CA for the service hosts
ca=$CP_STATE/kuma-cp.crt
[ -s "$ca" ] || mp_fail "kuma-cp did not write its CA certificate to $ca"
mkdir -p "$MESHLITE_SHARED/tokens"
install -m 0644 "$ca" "$MESHLITE_SHARED/ca.crt"
for dp in $dataplanes; do
  kumactl generate dataplane-token --mesh default --name "$dp" --valid-for 8760h >"$MESHLITE_SHARED/tokens/$dp.tmp" ||
    mp_fail "kumactl generate dataplane-token --name $dp failed"
  chmod 0600 "$MESHLITE_SHARED/tokens/$dp.tmp"
  mv -f "$MESHLITE_SHARED/tokens/$dp.tmp" "$MESHLITE_SHARED/tokens/$dp.token"
  mp_log "dataplane token for $dp: $MESHLITE_SHARED/tokens/$dp.token"
done
mp_log "done"
