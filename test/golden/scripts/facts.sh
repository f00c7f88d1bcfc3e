nl='
'
bv_which() {
  bv_w= IFS=:
  set -f; for bv_d in $PATH; do bv_d=${bv_d:-.}; if [ -f "$bv_d/$1" ] && [ -x "$bv_d/$1" ]; then bv_w=$bv_d/$1; break; fi; done; set +f
  unset IFS
  [ -n "$bv_w" ]
}
bv_look() { bv_stat=$nl$(stat -L -c "%n$nl%u %a %d %i %s %Y %Z" "$@" 2>/dev/null)$nl; }
bv_key() { case $bv_stat in *"$nl$1$nl"*) bv_k=${bv_stat#*"$nl$1$nl"}; bv_k=${bv_k%%"$nl"*};; *) bv_k=;; esac; }
bv_field() { bv_n=$1; set -- $bv_k; eval "bv_f=\${$bv_n}"; }
bv_private() { set -- $bv_k; [ "$1" = 0 ] && case $2 in *[2367]?|*[2367]) return 1;; esac; }
binary_versions() {
  bv_dir=$1 bv_write=$2 bv_file=$1/versions bv_tmp=
  shift 2
  bv_look "$@" "$bv_dir" "$bv_file"
  bv_all=$bv_stat bv_old=$nl
  bv_key "$bv_dir"
  if bv_private; then
    bv_key "$bv_file"
    if bv_private; then while IFS= read -r bv_l; do bv_old=$bv_old$bv_l$nl; done < "$bv_file"; fi
  elif [ -n "$bv_k" ]; then bv_write=
  fi
  bv_new=$nl
  for bv_p; do
    bv_stat=$bv_all
    bv_key "$bv_p"
    bv_e="${nl}k $bv_k $bv_p${nl}v "
    if [ -n "$bv_k" ] && case $bv_old in *"$bv_e"*) true;; *) false;; esac; then
      bv_v=${bv_old#*"$bv_e"}
      bv_v=${bv_v%%"$nl"*}
      bv_new="$bv_new""k $bv_k $bv_p$nl""v $bv_v$nl"
    else
      bv_keep=
      if [ "$bv_write" = 1 ] && [ -n "$bv_k" ] && [ ! -L "$bv_p" ] && bv_h=$(head -c 2 "$bv_p" 2>/dev/null) && [ "$bv_h" != '#!' ]; then
        if [ -z "$bv_tmp" ]; then
          umask 022
          [ -d "$bv_dir" ] || mkdir -p "$bv_dir" 2>/dev/null
          # Named like the write script's staging, so a check for leftovers finds it; removed however the shell ends.
          bv_tmp=$bv_dir/.versions.bootstrap-tmp.$$
          trap 'rm -f "$bv_tmp"' EXIT
          trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
          true 2>/dev/null > "$bv_tmp" || bv_write=
        fi
        if [ "$bv_write" = 1 ]; then
          bv_look "$bv_p" "$bv_tmp"
          bv_key "$bv_tmp"; bv_field 6; bv_now=$bv_f
          bv_key "$bv_p"; bv_field 7
          [ -n "$bv_now" ] && [ -n "$bv_k" ] && [ "$bv_f" -lt "$bv_now" ] && bv_keep=$bv_k
        fi
      fi
      bv_v=$("$bv_p" --version 2>/dev/null) || bv_keep=
      bv_v=${bv_v%%"$nl"*}
      if [ -n "$bv_keep" ]; then bv_new="$bv_new""k $bv_keep $bv_p$nl""v $bv_v$nl"; fi
    fi
    printf 'version.%s=%s\n' "${bv_p##*/}" "$bv_v"
  done
  if [ -n "$bv_tmp" ]; then
    if [ "$bv_write" = 1 ] && [ "$bv_new" != "$bv_old" ] && printf '%s' "${bv_new#"$nl"}" > "$bv_tmp"; then mv -f "$bv_tmp" "$bv_file"
    else rm -f "$bv_tmp"; fi
  fi
}

cache=$1 write=$2
shift 2
read -r v < /proc/sys/kernel/hostname; printf 'hostname=%s\n' "$v"
if [ -r /etc/os-release ]; then . /etc/os-release; printf 'os=%s %s\n' "$ID" "$VERSION_ID"; fi
if [ -r /proc/sys/kernel/arch ]; then read -r v < /proc/sys/kernel/arch; else v=$(uname -m); fi
read -r k < /proc/sys/kernel/osrelease
uid=; while read -r f a b r; do if [ "$f" = Uid: ]; then uid=$b; break; fi; done < /proc/self/status
printf 'arch=%s\nkernel=%s\nuid=%s\n' "$v" "$k" "$uid"
while [ $# -gt 1 ]; do if [ -S "$2" ]; then printf 'socket=%s\n' "$1"; fi; shift 2; done
set --
ss= systemctl=
for b in kubelet crictl docker containerd conntrack systemctl journalctl ss tar sha256sum; do
  bv_which "$b" || continue
  printf 'bin.%s=%s\n' "$b" "$bv_w"
  case $b in kubelet|crictl|docker|containerd) set -- "$@" "$bv_w";; ss) ss=1;; systemctl) systemctl=1;; esac
done
for k in net/ipv4/ip_forward net/bridge/bridge-nf-call-iptables net/ipv6/conf/default/forwarding; do if [ -r "/proc/sys/$k" ]; then read -r v < "/proc/sys/$k"; printf 'sysctl.%s=%s\n' "$k" "$v"; fi; done
if [ $# -gt 0 ]; then if [ "$write" = 1 ] && [ "$uid" = 0 ]; then binary_versions "$cache" 1 "$@"; else binary_versions "$cache" 0 "$@"; fi; fi
files=; for f in /sys/devices/system/cpu/online /proc/meminfo /proc/swaps; do if [ -r "$f" ]; then files="$files $f"; fi; done
if [ -n "$ss" ]; then ss -Hltnp 2>/dev/null; fi | awk '
FILENAME == "-" { print "listen=" $4 " " $6; next }
FILENAME ~ /online$/ { n = split($0, r, ","); for (i = 1; i <= n; i++) cpus += split(r[i], ab, "-") == 2 ? ab[2] - ab[1] + 1 : 1; next }
FILENAME == "/proc/meminfo" { if ($1 == "MemTotal:") print "memkb=" $2; next }
FNR > 1 { swaps++ }
END { if (!cpus) "getconf _NPROCESSORS_ONLN" | getline cpus; print "cpus=" cpus; print "swaps=" swaps + 0 }
' - $files
if [ -n "$systemctl" ]; then
  v=$(systemctl is-active kubelet systemd-resolved 2>/dev/null)
  printf 'active.kubelet=%s\n' "${v%%"$nl"*}"
  case $v in *"$nl"*) v=${v#*"$nl"};; *) v=;; esac
  printf 'active.systemd-resolved=%s\n' "$v"
fi
