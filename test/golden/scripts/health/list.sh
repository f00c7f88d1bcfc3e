
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

mode=$1; ep=$2
section pods crictl --runtime-endpoint "$ep" pods -o json
section containers crictl --runtime-endpoint "$ep" ps -a -o json
if [ "$mode" = dockershim ]; then section docker docker ps -a --no-trunc --format '{{json .}}'; fi
