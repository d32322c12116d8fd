#!/usr/bin/env bash
# build-flavour.sh FLAVOUR
#
# Builds another framework's flavour of the library from this tree: one source, one package per
# framework. FLAVOUR is a folder of flavours/ (today cdktn, CDK Terrain, the community fork of
# cdktf), whose package.json and package-lock.json pin what building it needs, and whose
# package.json's "flavour" field names the framework and the package's name, description,
# keywords, peer dependencies and jsii targets.
#
# Everything it writes is in flavours/FLAVOUR/.build/ (not committed; a dot folder, so that
# jsii-docgen's search of this tree for assemblies does not take the flavour's constructs for
# the library's): node_modules/ (`npm ci` of the flavour's package.json and lockfile) and
# package/, the flavour's package: lib/ (this tree's lib, the framework's import specifiers
# rewritten: `'cdktf'` and `'cdktf/...'` become the framework's, nothing else changes),
# examples/ (the same rewrite: an app moves by its imports alone), package.json (the root one
# with the flavour's fields in place of cdktf's), README.md, LICENSE, and API.md, compiled by
# the repository's jsii. `npm pack` in package/ makes the flavour's package.
set -euo pipefail

usage() { echo "usage: ${0##*/} FLAVOUR (a folder of flavours/: cdktn)" >&2; exit 64; }
[ $# -eq 1 ] || usage
top=$(cd "$(dirname "$0")/.." && pwd)
flavour_dir=$top/flavours/$1
[ -f "$flavour_dir/package.json" ] || usage
framework=$(node -p 'require(process.argv[1]).flavour.framework' "$flavour_dir/package.json")
work=$flavour_dir/.build
build=$work/package
export JSII_SILENCE_SUPPORT_WARNING=1

# What the flavour's package.json and lockfile pin: the framework, and the constructs it takes.
mkdir -p "$work"
cp "$flavour_dir/package.json" "$flavour_dir/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --prefer-offline --silent)

rm -rf "$build"
mkdir -p "$build"
# The package resolves the framework where a user's app has it, in its node_modules.
ln -s ../node_modules "$build/node_modules"
# The library's sources and every file it reads at synth; not what jsii compiled in place.
(cd "$top" && find lib examples -type f ! -name '*.js' ! -name '*.d.ts' ! -name '*.tsbuildinfo' -print0) |
  (cd "$top" && xargs -0 cp --parents -t "$build")
# Only import specifiers change: `from 'cdktf'`, `from 'cdktf/lib/...'` (the synth hook).
find "$build/lib" "$build/examples" -name '*.ts' -exec \
  sed -i -E "s#(from|import|require\\() *'cdktf(/[^']*)?'#\\1 '$framework\\2'#g" {} +
left=$(grep -rnE "[\"'\`]cdktf(/[^\"'\`]*)?[\"'\`]" "$build/lib" "$build/examples" --include='*.ts' | grep -vE '^[^:]*:[0-9]+: *(//|\*|/\*)' || true)
if [ -n "$left" ]; then
  echo "build-flavour: a cdktf module specifier this script does not rewrite:" >&2
  echo "$left" >&2
  exit 1
fi

# The package's manifest: the root's, with the flavour's name, framework and targets.
node - "$top/package.json" "$flavour_dir/package.json" "$build/package.json" <<'EOF'
const fs = require('fs');
const [rootFile, flavourFile, outFile] = process.argv.slice(2);
const root = JSON.parse(fs.readFileSync(rootFile, 'utf8'));
const manifest = JSON.parse(fs.readFileSync(flavourFile, 'utf8'));
const f = manifest.flavour;
const pkg = {
  name: f.name,
  version: root.version,
  description: f.description,
  license: root.license,
  author: root.author,
  repository: root.repository,
  keywords: f.keywords,
  main: root.main,
  types: root.types,
  files: root.files,
  jsii: { ...root.jsii, targets: f.targets },
  peerDependencies: f.peerDependencies,
  devDependencies: manifest.devDependencies,
};
fs.writeFileSync(outFile, JSON.stringify(pkg, null, 2) + '\n');
EOF
cp "$top/README.md" "$top/LICENSE" "$build/"

cd "$build"
node "$top/node_modules/jsii/bin/jsii" --silence-warnings=reserved-word
node "$top/node_modules/jsii-docgen/bin/jsii-docgen" -o API.md
