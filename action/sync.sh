#!/usr/bin/env bash
# The action's sync step: notion-git sync --push, with the time box, the
# job summary and the keepalive, and the exit code turned into what the job
# page should show:
#   0  complete (or nothing changed): success;
#   5  incomplete: the time box ended the crawl, its progress is kept as a
#      checkpoint and the next run continues: success, with a notice;
#   3  partial: committed and pushed, but some pages could not be read and
#      kept their previous version: the job fails, with an error annotation;
#   anything else: the job fails, with an error annotation.
# A checkpoint is a commit under refs/notion-git/, outside the branch; the
# runner is new each time, so it travels through the remote: fetched before
# the sync, pushed after (and deleted there once a sync completed).
#
# Inputs come from the environment (action.yml sets them):
#   NOTION_GIT_BIN                the notion-git binary (required)
#   NOTION_TOKEN                  Notion's secret, read by notion-git itself
#   GITHUB_TOKEN                  the push's basic auth, read by notion-git and
#                                 used here for the checkpoint; never written
#   NOTION_GIT_ACTION_REPOSITORY  the repository (default: .)
#   NOTION_GIT_ACTION_BRANCH      the branch (default: the checked-out one)
#   NOTION_GIT_ACTION_REMOTE      the remote, a name or a URL (default: origin)
#   NOTION_GIT_ACTION_MAX_DURATION, NOTION_GIT_ACTION_KEEPALIVE,
#   NOTION_GIT_ACTION_ARGS        --max-duration, --keepalive, further arguments
#   GITHUB_STEP_SUMMARY, GITHUB_OUTPUT  as GitHub Actions sets them
set -uo pipefail

bin=${NOTION_GIT_BIN:?the notion-git binary}
repo=${NOTION_GIT_ACTION_REPOSITORY:-.}
branch=${NOTION_GIT_ACTION_BRANCH:-}
remote=${NOTION_GIT_ACTION_REMOTE:-origin}
max_duration=${NOTION_GIT_ACTION_MAX_DURATION:-}
keepalive=${NOTION_GIT_ACTION_KEEPALIVE:-}

# remote_git runs git on the remote with the token as HTTP basic auth. The
# header goes through the environment (GIT_CONFIG_*), which git reads and
# never writes: not .git/config, not the process list. A checkout that kept
# its own credentials (persist-credentials) already sends them.
remote_git() {
  if [[ -n ${GITHUB_TOKEN:-} ]] && ! git -C "$repo" config --get-regexp '^http\..*\.extraheader$' >/dev/null; then
    local basic
    basic=$(printf 'x-access-token:%s' "$GITHUB_TOKEN" | base64 | tr -d '\n')
    echo "::add-mask::$basic"
    GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader GIT_CONFIG_VALUE_0="Authorization: Basic $basic" \
      git -C "$repo" "$@"
  else
    git -C "$repo" "$@"
  fi
}

if ! remote_git fetch --quiet --no-tags "$remote" '+refs/notion-git/*:refs/notion-git/*'; then
  echo "::warning title=notion-git::Could not fetch the checkpoint of an earlier incomplete sync from $remote; this sync starts from the branch."
fi

args=(sync --repo "$repo" --push --remote "$remote")
if [[ -n $branch ]]; then args+=(--branch "$branch"); fi
if [[ -n $max_duration ]]; then args+=(--max-duration "$max_duration"); fi
if [[ -n $keepalive ]]; then args+=(--keepalive "$keepalive"); fi
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then args+=(--step-summary "$GITHUB_STEP_SUMMARY"); fi
if [[ -n ${NOTION_GIT_ACTION_ARGS:-} ]]; then
  read -r -a extra <<<"$NOTION_GIT_ACTION_ARGS"
  args+=("${extra[@]}")
fi

code=0
"$bin" "${args[@]}" || code=$?

# What the run left under refs/notion-git/ goes to the remote: a checkpoint
# to continue from, or none (--prune deletes the remote's) after a sync
# that completed the snapshot.
checkpoint_pushed=true
if ! remote_git push --quiet --prune "$remote" '+refs/notion-git/*:refs/notion-git/*'; then
  checkpoint_pushed=false
fi

result=$code
case $code in
0)
  if [[ $checkpoint_pushed != true ]]; then
    echo "::warning title=notion-git::Could not delete the checkpoint of an earlier sync on $remote; the next sync sets it aside."
  fi
  ;;
5)
  if [[ $checkpoint_pushed == true ]]; then
    echo "::notice title=notion-git sync incomplete::The time box (--max-duration ${max_duration:-unset}) ended the crawl before it finished. What it crawled is kept as a checkpoint, and the next run continues from it."
    result=0
  else
    echo "::error title=notion-git sync incomplete::The time box ended the crawl, and its checkpoint could not be pushed to $remote: the next run would start again from the branch."
  fi
  ;;
3)
  echo "::error title=notion-git sync partial::Committed and pushed, but some pages could not be read and kept their previous version; the job summary lists them. The next run reads them again."
  ;;
*)
  echo "::error title=notion-git sync failed::notion-git sync exited with code $code; its last line above says why."
  ;;
esac
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  echo "exit-code=$code" >>"$GITHUB_OUTPUT"
fi
exit "$result"
