#!/usr/bin/env bash
# Cache keys of the action's build, written to $GITHUB_OUTPUT:
#   source  changes with anything in the action's own checkout, and with the
#           ref it was pinned at (the version the binary reports), so a
#           cached binary is the build of exactly this source;
#   go-sum  the action's go.sum, for the module cache of a build.
# hashFiles() cannot compute these: it only sees GITHUB_WORKSPACE, and the
# action lives beside it.
set -euo pipefail

src=${GITHUB_ACTION_PATH:?the checkout of the action}
cd "$src"
# Every file but git's own, in a fixed order, names and contents both.
source_hash=$(
  {
    printf 'ref %s\n' "${NOTION_GIT_VERSION:-}"
    find . -path ./.git -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-32
)
go_sum=$(sha256sum go.sum | cut -c1-32)
{
  echo "source=$source_hash"
  echo "go-sum=$go_sum"
} >>"${GITHUB_OUTPUT:?}"
