#!/bin/sh
# Runs a command inside a private network namespace (only lo + a veth pair named lan0/lan1, not
# veth*: the broadcaster leaves veth* out of its LAN addresses as container plumbing), so WebRTC
# gathers host candidates on an address that exists nowhere else and no test traffic
# leaves the machine (see README "Tests"). Needs root for `unshare -n`; elsewhere it
# says so and runs the command directly.
set -e
if [ -n "$RTC_IN_NETNS" ]; then exec "$@"; fi
if [ "$(id -u)" = "0" ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 \
   && unshare -n true 2>/dev/null; then
  exec unshare -n sh -c '
    ip link set lo up &&
    ip link add lan0 type veth peer name lan1 &&
    ip addr add 10.213.0.1/24 dev lan0 && ip addr add 10.213.0.2/24 dev lan1 &&
    ip link set lan0 up && ip link set lan1 up &&
    ip route add default via 10.213.0.2 dev lan0 &&
    RTC_IN_NETNS=1 exec "$@"' sh "$@"
fi
echo "in-netns: cannot create a private network namespace (needs root, unshare and iproute2);" \
     "running directly: WebRTC may use this machine's real interfaces" >&2
RTC_IN_NETNS=0 exec "$@"
