
root=$1; mode=$2; shift 2
say() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(printf '%s' "$4" | tr '\t\n' '  ')"; }
has() { command -v "$1" >/dev/null 2>&1; }
while [ $# -gt 0 ]; do
  op=$1; shift
  case $op in
  dir)
    t=$1; shift; d=$root$t
    if [ ! -e "$d" ]; then say dir "$t" absent ''; continue; fi
    if [ ! -d "$d" ]; then say dir "$t" failed 'not a directory, left alone'; continue; fi
    n=0; bad=''
    for e in "$d"/* "$d"/.[!.]* "$d"/..?*; do
      if [ -e "$e" ] || [ -L "$e" ]; then
        n=$((n + 1))
        if [ "$mode" = apply ] && ! err=$(rm -rf -- "$e" 2>&1); then bad="$bad $err"; fi
      fi
    done
    if [ -n "$bad" ]; then say dir "$t" failed "$bad"
    elif [ $n -eq 0 ]; then say dir "$t" absent empty
    elif [ "$mode" = apply ]; then say dir "$t" removed $n
    else say dir "$t" present $n; fi ;;
  file)
    t=$1; shift; f=$root$t
    if [ ! -e "$f" ] && [ ! -L "$f" ]; then say file "$t" absent ''
    elif [ -d "$f" ] && [ ! -L "$f" ]; then say file "$t" failed 'a directory, left alone'
    elif [ "$mode" != apply ]; then say file "$t" present ''
    elif err=$(rm -f -- "$f" 2>&1); then say file "$t" removed ''
    else say file "$t" failed "$err"; fi ;;
  kubelet)
    if ! has systemctl; then say kubelet kubelet skipped 'systemctl not found'; continue; fi
    state=$(systemctl is-active kubelet 2>/dev/null)
    case $state in
    active|activating|reloading|deactivating)
      if [ "$mode" != apply ]; then say kubelet kubelet present "$state"
      elif err=$(systemctl stop kubelet 2>&1); then say kubelet kubelet removed "was $state"
      else say kubelet kubelet failed "$err"; fi ;;
    *) say kubelet kubelet absent "${state:-unknown}" ;;
    esac ;;
  crictl|docker)
    if [ "$op" = crictl ]; then s=$1; shift; else s=docker; fi
    if ! has "$op"; then say "$op" "$s" skipped "$op not found"; continue; fi
    if [ "$op" = crictl ]; then
      p=${s#unix://}
      if [ ! -S "$root$p" ]; then say crictl "$s" absent 'no socket'; continue; fi
      list() { crictl -r "$s" pods -q; }
    else
      list() { docker ps -a --filter name=k8s_ -q; }
    fi
    if ! ids=$(list 2>/dev/null); then say "$op" "$s" failed "$(list 2>&1 >/dev/null)"; continue; fi
    n=0; bad=''
    for id in $ids; do
      n=$((n + 1))
      [ "$mode" = apply ] || continue
      if [ "$op" = crictl ]; then
        err=$(crictl -r "$s" stopp "$id" 2>&1 && crictl -r "$s" rmp "$id" 2>&1) || bad="$bad $id: $err;"
      else
        err=$(docker rm --force --volumes "$id" 2>&1) || bad="$bad $id: $err;"
      fi
    done
    if [ -n "$bad" ]; then say "$op" "$s" failed "$bad"
    elif [ $n -eq 0 ]; then say "$op" "$s" absent 'no pods'
    elif [ "$mode" = apply ]; then say "$op" "$s" removed $n
    else say "$op" "$s" present $n; fi ;;
  daemon-reload)
    if ! has systemctl; then say daemon-reload systemd skipped 'systemctl not found'
    elif [ "$mode" != apply ]; then say daemon-reload systemd present ''
    elif err=$(systemctl daemon-reload 2>&1); then say daemon-reload systemd done ''
    else say daemon-reload systemd failed "$err"; fi ;;
  *) say "$op" '' failed 'unknown step'; exit 2 ;;
  esac
done
