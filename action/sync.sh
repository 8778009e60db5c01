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
# --push starts from the remote's tip and carries the checkpoint of an
# incomplete sync (refs/notion-git/) to and from the remote, since the
# runner is new each time.
#
# Inputs come from the environment (action.yml sets them):
#   NOTION_GIT_BIN                the notion-git binary (required)
#   NOTION_TOKEN                  Notion's secret, read by notion-git itself
#   GITHUB_TOKEN                  the push's basic auth, read by notion-git
#                                 from the environment; never written
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

result=$code
case $code in
0) ;;
5)
  echo "::notice title=notion-git sync incomplete::The time box (--max-duration ${max_duration:-unset}) ended the crawl before it finished. What it crawled is kept as a checkpoint on $remote, and the next run continues from it."
  result=0
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
