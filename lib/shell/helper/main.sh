# shellcheck shell=sh disable=SC2034,SC2154,SC3043
# A module of the host helper (header.sh sets its globals; SC3043 and SC2034: see there).

############################################################ MAIN

# The actions, one a line, sorted: every function do_NAME beside a do_NAME_usage, as NAME with
# each _ written -.
actions() {
  set | sed -n 's/^do_\([a-z0-9_]*\)_usage=.*/\1/p' | tr _ - | LC_ALL=C sort
}

# Exit 0 when ACTION is one: its function and its usage are there.
is_action() {
  local fn
  case "$1" in '' | -* | *[!a-z0-9-]*) return 1 ;; esac
  fn=do_$(printf '%s' "$1" | tr - _)
  is_function "$fn" && eval "[ -n \"\${${fn}_usage:-}\" ]"
}

is_function() {
  case "$(type "$1" 2>/dev/null)" in *function*) return 0 ;; *) return 1 ;; esac
}

# Every action with its description.
usage() {
  local action fn u d
  echo "usage: ${self##*/} ACTION [ARGUMENT...]   ($LIBRARY_NAME host helper, interface $HOST_HELPER_VERSION, revision $HELPER_REVISION)"
  echo "       ${self##*/} help ACTION"
  for action in $(actions); do
    fn=do_$(printf '%s' "$action" | tr - _)
    eval "u=\$${fn}_usage d=\$${fn}_descr"
    printf '  %s\n        %s\n' "$u" "$d"
  done
  echo "Every action is idempotent; the comment above its function in $self says what it makes true."
}

# The usage and description of ACTION.
action_usage() {
  local fn u d
  fn=do_$(printf '%s' "$1" | tr - _)
  eval "u=\$${fn}_usage d=\$${fn}_descr"
  printf 'usage: %s %s\n  %s\n' "${self##*/}" "$u" "$d"
}

# args_fit USAGE [ARG...]: exit 0 when the ARGs fit USAGE (its words after the action's name):
# WORD in capitals one argument; any other word (switch, -r) that very argument; X... one or
# more of X; [X] X or nothing; {X | Y} X or Y. Checked for every action, before it runs.
args_fit() {
  awk '
    function after(t,    d) {
      if (tok[t] != "[" && tok[t] != "{") return t + 1
      for (d = 0; t <= nt; t++) {
        if (tok[t] == "[" || tok[t] == "{") d++
        else if (tok[t] == "]" || tok[t] == "}") { d--; if (d == 0) return t + 1 }
      }
      return nt + 1
    }
    function has(S, p) { return index(S, " " p " ") > 0 }
    function union(A, B,    n, k, b) {
      n = split(B, b, " ")
      for (k = 1; k <= n; k++) if (!has(A, b[k])) A = A b[k] " "
      return A
    }
    function minus(A, B,    n, k, a, R) {
      R = " "; n = split(A, a, " ")
      for (k = 1; k <= n; k++) if (!has(B, a[k])) R = R a[k] " "
      return R
    }
    # The numbers of arguments taken after the item from t to e - 1, from each number in P.
    function item(t, e, P,    R, n, k, p, s, q, ps) {
      if (tok[t] == "[") return union(P, seq(t + 1, e - 1, P))
      R = " "
      if (tok[t] == "{") {
        s = t + 1
        for (q = s; q < e - 1; q = after(q)) if (tok[q] == "|") { R = union(R, seq(s, q, P)); s = q + 1 }
        return union(R, seq(s, e - 1, P))
      }
      n = split(P, ps, " ")
      for (k = 1; k <= n; k++) {
        p = ps[k] + 0
        if (p < nargs && (tok[t] ~ /^[A-Z][A-Z0-9_]*$/ || arg[p + 1] == tok[t])) R = union(R, p + 1)
      }
      return R
    }
    # The same for the items from s to e - 1 in turn.
    function seq(s, e, P,    t, q, R, N) {
      for (t = s; t < e; t = q) {
        q = after(t)
        R = item(t, q, P)
        if (q < e && tok[q] == "...") {
          for (N = R; N != " "; R = union(R, N)) N = minus(item(t, q, N), R)
          q++
        }
        P = R
      }
      return P
    }
    BEGIN {
      u = ARGV[1]; nargs = ARGC - 2
      for (k = 1; k <= nargs; k++) arg[k] = ARGV[k + 1]
      gsub(/\[/, " [ ", u); gsub(/\]/, " ] ", u); gsub(/[{]/, " { ", u); gsub(/[}]/, " } ", u)
      gsub(/[|]/, " | ", u); gsub(/\.\.\./, " ... ", u)
      nt = split(u, tok, " ")
      exit !has(seq(2, nt + 1, " 0 "), nargs)
    }' "$@"
}

# The unknown ACTION named, then every action; exit EX_USAGE.
unknown_action() {
  echo "${self##*/}: unknown action $1" >&2
  usage >&2
  exit "$EX_USAGE"
}

# main ACTION [ARG...]: dispatch by function name. An action's arguments are checked against
# its usage here, once; an internal entry point (_NAME: this program runs itself for it, under
# a lock or detached, and older stored scripts and the install step call _use) takes what its
# caller passes.
main() {
  local action fn u
  if [ $# -eq 0 ]; then usage >&2; exit "$EX_USAGE"; fi
  action=$1
  shift
  case "$action" in
    help | -h)
      if [ $# -eq 0 ]; then usage; exit 0; fi
      { [ $# -eq 1 ] && is_action "$1"; } || unknown_action "$*"
      action_usage "$1"
      exit 0 ;;
    _ | _*[!a-z0-9_]*) unknown_action "$action" ;;
    _*)
      is_function "$action" || unknown_action "$action"
      fn=$action ;;
    *)
      is_action "$action" || unknown_action "$action"
      fn=do_$(printf '%s' "$action" | tr - _)
      eval "u=\$${fn}_usage"
      if ! args_fit "$u" "$@"; then action_usage "$action" >&2; exit "$EX_USAGE"; fi ;;
  esac
  # The library's steps run it as root (sudo or doas when they log in as another user).
  [ "$(id -u)" -eq 0 ] || die "$action: must be run as root"
  "$fn" "$@"
}

main "$@"
