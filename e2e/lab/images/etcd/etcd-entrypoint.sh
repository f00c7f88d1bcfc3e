#!/bin/sh
# /usr/local/bin/etcd in the bootstrap lab's etcd image: a thin entrypoint in front of Debian's real etcd 3.4
# (/usr/local/lib/etcd/etcd). kubeadm names flags for the etcd release it pins; for kubeadm versions that
# pin etcd >= 3.6 it passes two flags etcd 3.4 only knows under their experimental names (kubernetes PR
# #132838, kubeadm v1.34+; #135701 made them unconditional):
#   --feature-gates=InitialCorruptCheck=true  ->  --experimental-initial-corrupt-check=true
#   --watch-progress-notify-interval=D        ->  --experimental-watch-progress-notify-interval=D
# Newer kubeadm manifests also probe /livez and /readyz on the metrics port (kubeadm issue 3039), which etcd
# 3.4 does not serve. So a single http --listen-metrics-urls is moved to 127.0.0.1:<port+20000> (port-20000
# above 45535) and the
# lab's etcd-probes helper (node, in this image) listens on the configured address: it answers /livez and
# /readyz from etcd's /health and passes /health, /metrics and everything else through.
# Every other argument is passed through untouched, so etcd itself rejects anything else it does not know.
# BOOTSTRAP_LAB_FAULT=crash|unhealthy (set only in the lab's fault-variant tags) makes the container exit at
# start or run an etcd whose client port is never served. BOOTSTRAP_LAB_ETCD_BINARY lets the lab's tests run
# this same script in front of the host's etcd.
set -eu
REAL=${BOOTSTRAP_LAB_ETCD_BINARY:-/usr/local/lib/etcd/etcd}
NODE=${BOOTSTRAP_LAB_NODE:-/usr/bin/node}
PROBES=${BOOTSTRAP_LAB_ETCD_PROBES:-/opt/bootstrap-lab/components/etcd-probes.js}

if [ "${BOOTSTRAP_LAB_FAULT:-}" = crash ]; then
  echo "bootstrap lab fault: this etcd image crashes at start" >&2
  exit 1
fi

map_gates() {
  # $1: the value of --feature-gates, e.g. "InitialCorruptCheck=true"
  old_ifs=$IFS; IFS=,
  for gate in $1; do
    case "$gate" in
      InitialCorruptCheck=true|InitialCorruptCheck=false)
        mapped="$mapped --experimental-initial-corrupt-check=${gate#*=}" ;;
      "") ;;
      *) IFS=$old_ifs; echo "etcd (lab image, etcd 3.4): feature gate '$gate' has no etcd 3.4 equivalent" >&2; exit 1 ;;
    esac
  done
  IFS=$old_ifs
}

# The inner metrics URL for one plain-http URL with a numeric port; fails for anything else.
inner_metrics_url() {
  case "$1" in *,*) return 1 ;; http://*) ;; *) return 1 ;; esac
  hostport=${1#http://}; hostport=${hostport%%/*}; port=${hostport##*:}
  case "$port" in ''|*[!0-9]*) return 1 ;; esac
  if [ "$port" -le 45535 ]; then echo "http://127.0.0.1:$((port + 20000))"; else echo "http://127.0.0.1:$((port - 20000))"; fi
}

n=$#
i=0
mapped=""
metrics_outer=""
metrics_inner=""
while [ "$i" -lt "$n" ]; do
  arg=$1; shift; i=$((i + 1))
  case "$arg" in
    --feature-gates=*|-feature-gates=*) map_gates "${arg#*=}"; continue ;;
    --feature-gates|-feature-gates) map_gates "$1"; shift; i=$((i + 1)); continue ;;
    --watch-progress-notify-interval=*|-watch-progress-notify-interval=*)
      arg="--experimental-watch-progress-notify-interval=${arg#*=}" ;;
    --watch-progress-notify-interval|-watch-progress-notify-interval)
      arg="--experimental-watch-progress-notify-interval=$1"; shift; i=$((i + 1)) ;;
    --listen-metrics-urls=*)
      if [ -x "$NODE" ] && [ -f "$PROBES" ] && metrics_inner=$(inner_metrics_url "${arg#*=}"); then
        metrics_outer=${arg#*=}; arg="--listen-metrics-urls=$metrics_inner"
      fi ;;
  esac
  set -- "$@" "$arg"
done
# shellcheck disable=SC2086 # $mapped holds only flags built above, without spaces inside them
set -- "$@" $mapped

if [ "${BOOTSTRAP_LAB_FAULT:-}" = unhealthy ]; then
  echo "bootstrap lab fault: this etcd image never becomes healthy" >&2
  exec sleep 2147483647
fi
if [ -n "$metrics_outer" ]; then
  "$NODE" "$PROBES" --listen="$metrics_outer" --etcd="$metrics_inner" &
fi
exec "$REAL" "$@"
