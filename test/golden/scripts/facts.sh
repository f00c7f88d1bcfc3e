
printf 'hostname=%s\n' "$(cat /proc/sys/kernel/hostname)"
if [ -r /etc/os-release ]; then . /etc/os-release; printf 'os=%s %s\n' "$ID" "$VERSION_ID"; fi
printf 'arch=%s\nkernel=%s\nuid=%s\n' "$(uname -m)" "$(uname -r)" "$(id -u)"
printf 'cpus=%s\n' "$(getconf _NPROCESSORS_ONLN)"
awk '/^MemTotal:/ {print "memkb=" $2} END {}' /proc/meminfo
awk 'NR > 1 {n++} END {print "swaps=" n + 0}' /proc/swaps
while [ $# -gt 1 ]; do if [ -S "$2" ]; then printf 'socket=%s\n' "$1"; fi; shift 2; done
for b in kubelet crictl docker containerd conntrack systemctl journalctl ss tar sha256sum; do p=$(command -v "$b" 2>/dev/null) && printf 'bin.%s=%s\n' "$b" "$p"; done
for b in kubelet crictl docker containerd; do
  if command -v "$b" >/dev/null 2>&1; then printf 'version.%s=%s\n' "$b" "$("$b" --version 2>/dev/null | head -n 1)"; fi
done
for k in net/ipv4/ip_forward net/bridge/bridge-nf-call-iptables net/ipv6/conf/default/forwarding; do if [ -r "/proc/sys/$k" ]; then printf 'sysctl.%s=%s\n' "$k" "$(cat "/proc/sys/$k")"; fi; done
if command -v ss >/dev/null 2>&1; then ss -Hltnp 2>/dev/null | awk '{print "listen=" $4 " " $6}'; fi
if command -v systemctl >/dev/null 2>&1; then
  printf 'active.kubelet=%s\n' "$(systemctl is-active kubelet 2>/dev/null)"
  printf 'active.systemd-resolved=%s\n' "$(systemctl is-active systemd-resolved 2>/dev/null)"
fi
