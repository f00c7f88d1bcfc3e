/**
 * The first line a binary prints for `--version`, without starting it again while it is the same file. Go
 * binaries (kubelet, crictl, docker, containerd) cost tens to hundreds of milliseconds of CPU per start, so
 * the answer is kept on the host in VERSIONS_DIR/versions, keyed by what stat says of the file the path leads to
 * (owner, mode, device, inode, size, mtime, ctime): a binary replaced by a package, by hand or in place has a
 * new inode or a new ctime, which nobody can set back, and is asked again. Package metadata would not do: it
 * says what the package manager installed, not what is at the path now.
 *
 * An entry is trusted only from a file and folder owned by root and writable by no one else, and is written
 * only by root, only when the caller allows it (never in a look-only command or a dry run), atomically (a
 * temporary file in the folder, then rename). An entry is written only for a binary whose ctime is older than
 * that temporary file, created before the binary was looked at: a change in the same second as the look would
 * otherwise keep the key and hide the change. Nor is one written for a script (#!) or a symlink: what they run
 * can change while they do not (a wrapper's target, snap's /snap/bin/kubelet -> /usr/bin/snap). Without stat,
 * or with a folder that cannot be written, every binary is asked, as before.
 */

/** Where the versions are kept on hosts (beside up's backups); the script's first argument. */
export const VERSIONS_DIR = '/var/lib/bootstrap';

/**
 * POSIX sh functions (dash, busybox ash, bash). `bv_which NAME` sets bv_w to where PATH finds the executable
 * NAME, as command -v does, and fails when it finds none: without the subshell `$(command -v NAME)` costs.
 * `binary_versions DIR WRITE PATH…` prints `version.NAME=LINE`
 * per path, NAME being the path's last part. WRITE is 1 when the run may update DIR/versions (the caller checks
 * that it runs as root). The file holds two lines per binary: "k <stat numbers> <path>" and "v <first line of
 * its --version>". Starts one stat; per binary asked, the binary and, when writing, head (is it a script?) and
 * a second stat (taken after the temporary file is created); one mv when the file is rewritten. Also sets nl, a newline, for the caller.
 */
export const BINARY_VERSIONS_FUNCTIONS = `nl='
'
bv_which() {
  bv_w= IFS=:
  set -f; for bv_d in $PATH; do bv_d=\${bv_d:-.}; if [ -f "$bv_d/$1" ] && [ -x "$bv_d/$1" ]; then bv_w=$bv_d/$1; break; fi; done; set +f
  unset IFS
  [ -n "$bv_w" ]
}
bv_look() { bv_stat=$nl$(stat -L -c "%n$nl%u %a %d %i %s %Y %Z" "$@" 2>/dev/null)$nl; }
bv_key() { case $bv_stat in *"$nl$1$nl"*) bv_k=\${bv_stat#*"$nl$1$nl"}; bv_k=\${bv_k%%"$nl"*};; *) bv_k=;; esac; }
bv_field() { bv_n=$1; set -- $bv_k; eval "bv_f=\\\${$bv_n}"; }
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
    bv_e="\${nl}k $bv_k $bv_p\${nl}v "
    if [ -n "$bv_k" ] && case $bv_old in *"$bv_e"*) true;; *) false;; esac; then
      bv_v=\${bv_old#*"$bv_e"}
      bv_v=\${bv_v%%"$nl"*}
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
      bv_v=\${bv_v%%"$nl"*}
      if [ -n "$bv_keep" ]; then bv_new="$bv_new""k $bv_keep $bv_p$nl""v $bv_v$nl"; fi
    fi
    printf 'version.%s=%s\\n' "\${bv_p##*/}" "$bv_v"
  done
  if [ -n "$bv_tmp" ]; then
    if [ "$bv_write" = 1 ] && [ "$bv_new" != "$bv_old" ] && printf '%s' "\${bv_new#"$nl"}" > "$bv_tmp"; then mv -f "$bv_tmp" "$bv_file"
    else rm -f "$bv_tmp"; fi
  fi
}
`;
