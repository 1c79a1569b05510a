# Sourced by the bench scripts (not a bench itself: `make bench` runs bench/*.sh).
# newest_build TOOL: the newer of the release and debug builds of TOOL (a stale one may lack the
# flags a bench uses), or nothing when neither is built.
newest_build() {
  local found="" candidate
  for candidate in "$root/.build/release/$1" "$root/.build/debug/$1"; do
    [[ -x $candidate ]] && { [[ -z $found || $candidate -nt $found ]] && found=$candidate; }
  done
  echo "$found"
}
