
m=$1; shift
exec 3>&1
section() {
  n=$1; shift
  printf '%s begin %s\n' "$m" "$n"
  e=$("$@" 2>&1 >&3 3>&-)
  c=$?
  printf '\n%s rc %s %s\n' "$m" "$n" "$c"
  if [ -n "$e" ]; then printf '%s\n' "$e" | sed "s/^/$m err /"; fi
}
merged() {
  n=$1; shift
  printf '%s begin %s\n' "$m" "$n"
  "$@" 2>&1
  c=$?
  printf '\n%s rc %s %s\n' "$m" "$n" "$c"
}

tool=$1; ep=$2; shift 2
if [ "$tool" = docker ]; then
  section images docker images --no-trunc --format '{{.Repository}}:{{.Tag}}'
  for id do merged "logs:$id" docker logs --tail 20 "$id"; done
else
  section images crictl --runtime-endpoint "$ep" images -o json
  for id do
    section "inspect:$id" crictl --runtime-endpoint "$ep" inspect "$id"
    merged "logs:$id" crictl --runtime-endpoint "$ep" logs --tail 20 "$id"
  done
fi
merged kubelet-active systemctl is-active kubelet
merged journal journalctl -u kubelet -n 30 --no-pager
