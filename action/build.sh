#!/usr/bin/env bash
# Builds notion-git from the action's own checkout into $NOTION_GIT_BIN, so
# that the binary is the version the workflow pinned (uses: ...@v1.2.3) and
# reports it (notion-git version).
set -euo pipefail

src=${GITHUB_ACTION_PATH:?the checkout of the action}
bin=${NOTION_GIT_BIN:?where to put the binary}
version=${NOTION_GIT_VERSION:-}

ldflags="-s -w"
# github.action_ref: a tag, a branch or a commit. Anything else (empty when
# the action is used from a path) leaves the version to the build info.
if [[ $version =~ ^[0-9A-Za-z][0-9A-Za-z._+/-]*$ ]]; then
  ldflags+=" -X main.buildVersion=$version"
fi
mkdir -p "$(dirname "$bin")"
(cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin" ./cmd/notion-git)
"$bin" version
