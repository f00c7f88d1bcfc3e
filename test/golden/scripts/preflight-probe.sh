
mode=$1 endpoint=$2
printf 'uname=%s\n' "$(uname -s)"
for b in ip iptables mount nsenter ebtables ethtool socat tc touch; do p=$(command -v "$b" 2>/dev/null) && printf 'bin.%s=%s\n' "$b" "$p"; done
for k in net/bridge/bridge-nf-call-ip6tables; do if [ -r "/proc/sys/$k" ]; then printf 'sysctl.%s=%s\n' "$k" "$(cat "/proc/sys/$k")"; fi; done
if command -v systemctl >/dev/null 2>&1; then
  printf 'active.firewalld=%s\n' "$(systemctl is-active firewalld 2>/dev/null)"
  if [ "$mode" = docker ]; then printf 'active.docker=%s\n' "$(systemctl is-active docker 2>/dev/null)"; fi
fi
case "$mode" in
  crictl) out=$(crictl --runtime-endpoint "$endpoint" --timeout 10s info 2>&1); code=$? ;;
  docker) out=$(docker info 2>&1); code=$? ;;
  *) exit 0 ;;
esac
printf 'runtime.code=%s\n@@runtime-output@@\n%s\n' "$code" "$out"
