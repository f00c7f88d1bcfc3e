umask 077
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 143' HUP INT TERM
cat > "$dir/config.json" || exit 1
docker --config "$dir" pull "$1"