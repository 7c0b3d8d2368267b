#!/usr/bin/env bash
# Runs "$@" with a real Secret Service (GNOME Keyring) on a private D-Bus session, in a
# throwaway home: how a Linux desktop keeps the store's device secret. Use under
# dbus-run-session.
set -euo pipefail
export HOME="$(mktemp -d)"
export XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'keyring-test-password' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL
"$@"
