
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

d=$1; shift
for f do if [ -f "$f" ]; then section "$f" cat "$f"; fi; done
for f in "$d"/*.yaml; do if [ -f "$f" ]; then section "$f" cat "$f"; fi; done
exit 0
