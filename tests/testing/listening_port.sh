# Sourced by the test scripts that start a server in the background.
#
#   listening_port LOG PID [TRIES]
#
# Waits (TRIES x 0.1 s, default 300) for the server PID to log its
# "listening" line into LOG, and prints the port from it. Returns 1, with
# nothing printed, if the server exits first or never says it.

# process_running PID: true while PID exists and is not a zombie (kill -0
# succeeds on a zombie, which a server that crashed becomes until waited for).
process_running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

listening_port() {
  local log=$1 pid=$2 tries=${3:-300} port i
  for ((i = 0; i < tries; i++)); do
    port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$log" |
      head -n1)
    if [[ -n $port ]]; then
      echo "$port"
      return 0
    fi
    process_running "$pid" || return 1
    sleep 0.1
  done
  return 1
}
