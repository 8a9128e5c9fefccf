#!/bin/sh
# Runs a command inside a private network namespace (only lo + a veth pair), so WebRTC
# gathers host candidates on an address that exists nowhere else and no test traffic
# leaves the machine (see README "Tests"). Needs root for `unshare -n`; elsewhere it
# says so and runs the command directly.
set -e
if [ -n "$RTC_IN_NETNS" ]; then exec "$@"; fi
if [ "$(id -u)" = "0" ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 \
   && unshare -n true 2>/dev/null; then
  exec unshare -n sh -c '
    ip link set lo up &&
    ip link add veth0 type veth peer name veth1 &&
    ip addr add 10.213.0.1/24 dev veth0 && ip addr add 10.213.0.2/24 dev veth1 &&
    ip link set veth0 up && ip link set veth1 up &&
    ip route add default via 10.213.0.2 dev veth0 &&
    RTC_IN_NETNS=1 exec "$@"' sh "$@"
fi
echo "in-netns: cannot create a private network namespace (needs root, unshare and iproute2);" \
     "running directly: WebRTC may use this machine's real interfaces" >&2
RTC_IN_NETNS=0 exec "$@"
