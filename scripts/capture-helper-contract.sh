#!/usr/bin/env bash
# capture-helper-contract.sh COMMIT REVISION
#
# Captures what the library at COMMIT, whose host helper is revision REVISION, synthesizes for the
# helper contract's app (test/e2e/contract/app.ts, both variants): its scripts, create, destroy
# and prune, and its helper, into test/fixtures/helper-contract/rREVISION/{full,pruned}. The
# end-to-end suite applies them, prunes and destroys with every later helper, so a newer helper
# must still do what those stored scripts ask. Run it for the outgoing revision whenever
# HOST_HELPER_REVISION is raised. The app and its driver are this tree's, built against COMMIT's
# library; node_modules is this tree's.
set -euo pipefail

usage() { echo "usage: ${0##*/} COMMIT REVISION" >&2; exit 64; }
[ $# -eq 2 ] || usage
commit=$1 revision=$2
case "$revision" in ''|*[!0-9]*) usage ;; esac

top=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tree"
git -C "$top" archive "$commit" | tar -x -C "$work/tree"
ln -s "$top/node_modules" "$work/tree/node_modules"
mkdir -p "$work/tree/test/e2e/contract"
cp "$top/test/e2e/contract/app.ts" "$top/test/e2e/contract/synth.ts" "$work/tree/test/e2e/contract/"

dest="$top/test/fixtures/helper-contract/r$revision"
rm -rf "$dest"
for variant in full pruned; do
  (cd "$work/tree" && JSII_SILENCE_SUPPORT_WARNING=1 npx tsx test/e2e/contract/synth.ts "$work/out-$variant" "$variant")
  mkdir -p "$dest/$variant"
  cp -R "$work/out-$variant/stacks/legacy/." "$dest/$variant/"
done
printf '%s\n' "$(git -C "$top" rev-parse "$commit")" > "$dest/COMMIT"
echo "captured revision $revision from $commit into ${dest#"$top"/}"
