#!/bin/sh
# /usr/local/bin/etcd in the bootstrap lab's etcd image: a thin entrypoint in front of Debian's real etcd 3.4
# (/usr/local/lib/etcd/etcd). kubeadm names flags for the etcd release it pins; for kubeadm versions that
# pin etcd >= 3.6 it passes two flags etcd 3.4 only knows under their experimental names (kubernetes PR
# #132838, kubeadm v1.34+; #135701 made them unconditional):
#   --feature-gates=InitialCorruptCheck=true  ->  --experimental-initial-corrupt-check=true
#   --watch-progress-notify-interval=D        ->  --experimental-watch-progress-notify-interval=D
# Every other argument is passed through untouched, so etcd itself rejects anything else it does not know.
# BOOTSTRAP_LAB_FAULT=crash|unhealthy (set only in the lab's fault-variant tags) makes the container exit at
# start or run an etcd whose client port is never served. BOOTSTRAP_LAB_ETCD_BINARY lets the lab's tests run
# this same script in front of the host's etcd.
set -eu
REAL=${BOOTSTRAP_LAB_ETCD_BINARY:-/usr/local/lib/etcd/etcd}

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

n=$#
i=0
mapped=""
while [ "$i" -lt "$n" ]; do
  arg=$1; shift; i=$((i + 1))
  case "$arg" in
    --feature-gates=*|-feature-gates=*) map_gates "${arg#*=}"; continue ;;
    --feature-gates|-feature-gates) map_gates "$1"; shift; i=$((i + 1)); continue ;;
    --watch-progress-notify-interval=*|-watch-progress-notify-interval=*)
      arg="--experimental-watch-progress-notify-interval=${arg#*=}" ;;
    --watch-progress-notify-interval|-watch-progress-notify-interval)
      arg="--experimental-watch-progress-notify-interval=$1"; shift; i=$((i + 1)) ;;
  esac
  set -- "$@" "$arg"
done
# shellcheck disable=SC2086 # $mapped holds only flags built above, without spaces inside them
set -- "$@" $mapped

if [ "${BOOTSTRAP_LAB_FAULT:-}" = unhealthy ]; then
  echo "bootstrap lab fault: this etcd image never becomes healthy" >&2
  exec sleep 2147483647
fi
exec "$REAL" "$@"
