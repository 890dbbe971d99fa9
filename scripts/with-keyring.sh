#!/bin/sh
# Runs a command with a real, unlocked Secret Service (gnome-keyring) on a private session bus, so
# the keychain tests and the console's end-to-end tests store secrets in a real OS keychain and
# never in the user's own. Use inside dbus-run-session:
#   dbus-run-session -- scripts/with-keyring.sh cargo nextest run --workspace
set -e
# A throwaway keyring directory and runtime directory: nothing lands in the user's keyrings.
XDG_DATA_HOME="$(mktemp -d)"
XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_DATA_HOME XDG_RUNTIME_DIR
# The password only unlocks this throwaway keyring.
printf '%s' "throwaway-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export PAYSYNC_REQUIRE_KEYCHAIN=1
status=0
"$@" || status=$?
rm -rf "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
exit "$status"
