set -eu
nl='
'
backup=$1 tmp=.bootstrap-tmp.$2 temps=
shift 2
case $tmp in .bootstrap-tmp. | .bootstrap-tmp.*[!0-9]*) echo "bad token: $tmp" >&2; exit 2 ;; esac
trap 'if [ -n "$temps" ]; then set -f; IFS=$nl; rm -rf -- $temps; fi' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
backup_folders() {
  for p do shift; set -- "$@" "$backup${p%/*}"; done
  mkdir -p -- "$backup" "$@"
}
for d do
  shift
  if [ "$d" = -- ]; then break; fi
  temps=$temps$nl$d/$tmp
done
umask 022
set -f; IFS=$nl
mkdir -p -m 0700 -- $temps
set +f; unset IFS
umask 077
tar -x -P -p -m --no-same-owner -f -
if [ -n "$backup" ]; then
  p= want=
  for a do
    shift
    if [ -z "$p" ]; then p=$a; continue; fi
    if [ -f "$p" ]; then set -- "$@" "$p"; want="$want $a"; fi
    p=
  done
  if [ "$#" -gt 0 ]; then
    sums=$(sha256sum -- "$@")
    for p do
      shift
      line=${sums%%"$nl"*}
      sums=${sums#*"$nl"}
      line=${line#\\}
      want=${want# }
      w=${want%% *}
      want=${want#"$w"}
      if [ "${line%% *}" != "$w" ]; then set -- "$@" "$p"; fi
    done
  fi
  if [ "$#" -gt 0 ]; then
    backup_folders "$@"
    chmod 0700 -- "$backup"
    cp -p --parents -- "$@" "$backup"
  fi
fi
set -f; IFS=$nl
for t in $temps; do
  set +f
  set -- "$t"/* "$t"/.[!.]* "$t"/..?*
  for f do shift; if [ -e "$f" ] || [ -L "$f" ]; then set -- "$@" "$f"; fi; done
  mv -f -t "${t%/*}" -- "$@"
done
