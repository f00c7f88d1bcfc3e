for p do shift; if [ -f "$p" ]; then set -- "$@" "$p"; fi; done
[ "$#" -gt 0 ] || exit 0
stat -c 'mode %a %n' -- "$@"
sha256sum -- "$@"