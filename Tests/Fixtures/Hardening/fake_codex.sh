#!/bin/bash
# A stand-in for `codex exec --json` (passed to codex-stage with --codex). FAKE_CODEX_MODE picks
# the behaviour; the arguments codex-stage passes are ignored.
#   leak   print every secret-looking variable and the CODEX_HOME config on stdout and stderr,
#          inside JSONL events and as raw lines, then complete the turn (exit 0)
#   fail   print the secrets on stderr and exit 1 without completing the turn
#   flood  FAKE_CODEX_LINES lines of FAKE_CODEX_LINE_BYTES bytes (newline included) on stdout,
#          then turn.completed; FAKE_CODEX_NO_NEWLINE=1 makes it one line without newlines
#   hang   print one line, then wait forever (only a signal ends it)
#   ok     complete an empty turn
set -u
mode="${FAKE_CODEX_MODE:-ok}"
secrets() { env | grep -E '^[A-Za-z_]*(_KEY|_TOKEN|_SECRET|PASSWORD)=' | cut -d= -f2-; }
case "$mode" in
  leak)
    echo '{"type":"thread.started","thread_id":"fake"}'
    echo '{"type":"turn.started"}'
    n=0
    while IFS= read -r value; do
      n=$((n + 1))
      printf '{"type":"item.completed","item":{"id":"leak_%d","type":"mcp_tool_call","server":"stelae","tool":"echo","arguments":{"text":"%s"},"status":"failed","error":{"message":"%s"}}}\n' "$n" "$value" "Bearer $value"
      printf 'raw stdout %s\n' "$value"
      printf 'raw stderr Authorization: Bearer %s\n' "$value" >&2
    done < <(secrets)
    if [ -f "${CODEX_HOME:-/nonexistent}/config.toml" ]; then
      sed 's/^/config: /' "$CODEX_HOME/config.toml"
      sed 's/^/config: /' "$CODEX_HOME/config.toml" >&2
    fi
    for file in "${CODEX_HOME:-/nonexistent}"/*; do
      [ -f "$file" ] && sed "s|^|home $(basename "$file"): |" "$file" >&2
    done
    echo '{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}'
    ;;
  fail)
    secrets | sed 's/^/fatal: token /' >&2
    echo '{"type":"thread.started","thread_id":"fake"}'
    exit 1
    ;;
  flood)
    lines="${FAKE_CODEX_LINES:-1000}"
    width="${FAKE_CODEX_LINE_BYTES:-1024}"
    # A line of exactly `width` bytes with its newline: the event, padded in its text.
    prefix='{"type":"item.completed","item":{"id":"f","type":"agent_message","text":"'
    suffix='"}}'
    pad=$((width - ${#prefix} - ${#suffix} - 1))
    line="$prefix$(head -c "$pad" /dev/zero | tr '\0' 'a')$suffix"
    if [ "${FAKE_CODEX_NO_NEWLINE:-0}" = 1 ]; then
      yes "$line" | head -n "$lines" | tr -d '\n'
      echo
    else
      yes "$line" | head -n "$lines"
    fi
    echo '{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}'
    ;;
  hang)
    echo '{"type":"thread.started","thread_id":"fake"}'
    exec sleep 100000
    ;;
  *)
    echo '{"type":"thread.started","thread_id":"fake"}'
    echo '{"type":"turn.started"}'
    echo '{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}'
    ;;
esac
