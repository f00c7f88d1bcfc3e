set -eu
umask 022
stage= tmp=
trap 'if [ -n "$stage" ]; then rm -rf "$stage"; fi; if [ -n "$tmp" ]; then rm -f "$tmp"; fi' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
stage=$(mktemp -d "${TMPDIR:-/tmp}/bootstrap.XXXXXX")
tar -x -f - -C "$stage"
backup=$1; shift
if [ -n "$backup" ]; then umask 077; mkdir -p "$backup"; chmod 0700 "$backup"; umask 022; fi
i=0
while [ "$#" -ge 2 ]; do
  path=$1; mode=$2; shift 2
  mkdir -p "${path%/*}"
  if [ -n "$backup" ] && [ -f "$path" ] && ! cmp -s "$stage/$i" "$path"; then
    umask 077
    mkdir -p "$backup${path%/*}"
    cp -p "$path" "$backup$path"
    umask 022
  fi
  tmp="$path.bootstrap-tmp.$$"
  cp "$stage/$i" "$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
  tmp=
  i=$((i + 1))
done
