#!/usr/bin/env bash
# Builds the macOS release of Clozapine REMS Desk: the PyInstaller .app, signed inside-out with
# the hardened runtime, notarized and stapled, in a dmg that is itself signed, notarized and
# stapled (so the first start needs no network: Gatekeeper reads the stapled ticket).
#
#   installer/macos/build.sh            # every step below, in order
#   installer/macos/build.sh STEP       # one step: freeze | sign | notarize-app | dmg | notarize-dmg | verify
#
# The CI workflow runs the steps one by one so that each sees only the secrets it needs.
# Signing and notarizing are skipped, with a warning, when their variables are absent (an
# unsigned build for a trial on one's own Mac); see installer/README.md for every variable:
#   MACOS_SIGNING_IDENTITY   "Developer ID Application: <name> (<team id>)", in a keychain
#   APPLE_TEAM_ID            the team id; the identity must be that team's, always the same
#   APPLE_API_KEY_PATH, APPLE_API_KEY_ID, APPLE_API_ISSUER_ID   App Store Connect API key (notary)
#   PYTHON                   the Python 3.11 for the freeze venv (default: python3.11)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/installer/macos"
VENV="$ROOT/build/venv-macos"
APP_NAME="Clozapine REMS Desk"
APP="$ROOT/dist/$APP_NAME.app"
# The Keychain trusts the app by this identifier and the team id: both are fixed forever.
BUNDLE_ID="org.clozapinedesk.desk"
ENTITLEMENTS="$HERE/entitlements.plist"
ARCH="$(uname -m)"  # arm64 or x86_64: one dmg per architecture

step() { printf '\n==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

version() {
    [ -x "$VENV/bin/python" ] || fail "no freeze venv: run '$0 freeze' first"
    "$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('clozapine-desk'))"
}

dmg_path() { echo "$ROOT/dist/clozapine-desk-$(version)-macos-$ARCH.dmg"; }

can_sign() { [ -n "${MACOS_SIGNING_IDENTITY:-}" ]; }

can_notarize() {
    [ -n "${APPLE_API_KEY_PATH:-}" ] && [ -n "${APPLE_API_KEY_ID:-}" ] && [ -n "${APPLE_API_ISSUER_ID:-}" ]
}

# ------------------------------------------------------------------------------------ freeze

freeze() {
    cd "$ROOT"
    step "Create the freeze venv (build/venv-macos)"
    rm -rf "$VENV"
    "${PYTHON:-python3.11}" -m venv "$VENV"
    "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version'

    step "Install the pinned runtime and build requirements"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --disable-pip-version-check \
        -r requirements/registry.txt -r requirements/build.txt  # registry.txt includes desktop.txt

    step "Install the app itself (no dependencies: they are pinned above)"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-deps .

    step "Freeze with PyInstaller (one folder and the .app)"
    rm -rf "$APP" "$ROOT/dist/clozapine-desk"
    "$VENV/bin/python" -m PyInstaller --noconfirm --distpath dist \
        --workpath build/pyinstaller installer/clozapine-desk.spec
    [ -x "$APP/Contents/MacOS/clozapine-desk" ] || fail "the .app has no Contents/MacOS/clozapine-desk"
    [ -x "$APP/Contents/MacOS/clozapine-desk-cli" ] || fail "the .app has no Contents/MacOS/clozapine-desk-cli"
    local plist_id
    plist_id="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleIdentifier' "$APP/Contents/Info.plist")"
    [ "$plist_id" = "$BUNDLE_ID" ] || fail "CFBundleIdentifier is '$plist_id', not '$BUNDLE_ID': the Keychain would no longer know the app"
    echo "Froze clozapine-desk $(version) ($ARCH) into $APP"
}

# -------------------------------------------------------------------------------------- sign

is_macho() { file -b "$1" | grep -q '^Mach-O'; }

# Deepest paths first, so that whatever holds a file is signed after it (inside-out).
deepest_first() { awk -F/ '{ print NF "\t" $0 }' | sort -rn | cut -f2-; }

codesign_one() {  # [--entitlements] path [extra codesign arguments...]
    local with_entitlements=""
    if [ "$1" = "--entitlements" ]; then with_entitlements=1; shift; fi
    local target="$1"; shift
    local args=(--force --options runtime --timestamp --sign "$MACOS_SIGNING_IDENTITY")
    [ -n "${MACOS_KEYCHAIN:-}" ] && args+=(--keychain "$MACOS_KEYCHAIN")
    [ -n "$with_entitlements" ] && args+=(--entitlements "$ENTITLEMENTS")
    codesign "${args[@]}" "$@" "$target"
}

check_identity() {
    [ -n "${APPLE_TEAM_ID:-}" ] || fail "APPLE_TEAM_ID is not set: signing needs the team id to check the identity against"
    case "$MACOS_SIGNING_IDENTITY" in
        "Developer ID Application: "*"($APPLE_TEAM_ID)") ;;
        *) fail "MACOS_SIGNING_IDENTITY must be 'Developer ID Application: <name> ($APPLE_TEAM_ID)'; another identity makes every installed app lose its Keychain entry (README)" ;;
    esac
}

sign() {
    if ! can_sign; then
        warn "MACOS_SIGNING_IDENTITY is not set: the .app stays ad-hoc signed (runs only where Gatekeeper is told to allow it)"
        return 0
    fi
    check_identity
    [ -d "$APP" ] || fail "no $APP: run '$0 freeze' first"

    step "Clear extended attributes (codesign refuses Finder detritus)"
    xattr -cr "$APP"

    step "Sign every Mach-O inside the .app, deepest first"
    local f count=0
    while IFS= read -r f; do
        case "$f" in "$APP/Contents/MacOS/clozapine-desk" | "$APP/Contents/MacOS/clozapine-desk-cli") continue ;; esac
        is_macho "$f" || continue
        if file -b "$f" | grep -q 'executable'; then
            codesign_one --entitlements "$f"
        else
            codesign_one "$f"
        fi
        count=$((count + 1))
    done < <(find "$APP/Contents" -type f | deepest_first)
    echo "signed $count libraries and helpers"

    step "Seal the framework bundles (Qt's), deepest first"
    while IFS= read -r f; do
        # codesign takes a directory as a framework only with its Info.plist; without one,
        # its binary (signed above) is sealed by the .app's signature instead.
        if [ -f "$f/Versions/Current/Resources/Info.plist" ] || [ -f "$f/Resources/Info.plist" ]; then
            codesign_one "$f"
        else
            warn "$(basename "$f") has no Info.plist: its binary is signed, the bundle is not"
        fi
    done < <(find "$APP/Contents" -type d -name '*.framework' | deepest_first)

    step "Sign the CLI under the app's identifier (so it reads the same Keychain entry)"
    codesign_one --entitlements "$APP/Contents/MacOS/clozapine-desk-cli" --identifier "$BUNDLE_ID"

    step "Sign the .app itself (its main executable, Info.plist and resources)"
    codesign_one --entitlements "$APP"

    step "Check the signature and the designated requirement the Keychain will remember"
    codesign --verify --deep --strict --verbose=2 "$APP"
    local requirement
    requirement="$(codesign --display --requirements - "$APP" 2>&1)"
    echo "$requirement" | grep -q "identifier \"$BUNDLE_ID\"" \
        || fail "the designated requirement does not name $BUNDLE_ID: $requirement"
    echo "$requirement" | grep -Eq "certificate leaf\[subject\.OU\] = \"?$APPLE_TEAM_ID\"?" \
        || fail "the designated requirement does not name team $APPLE_TEAM_ID: $requirement"
    echo "$requirement"
}

# ---------------------------------------------------------------------------------- notarize

# Sends one file (an .app goes as a zip) to Apple's notary service, waits, staples the ticket.
notarize() {
    local target="$1" submission="$1"
    if [ -d "$target" ]; then
        submission="$ROOT/build/notarize-$(basename "$target" .app).zip"
        rm -f "$submission"
        ditto -c -k --keepParent "$target" "$submission"
    fi
    local key=(--key "$APPLE_API_KEY_PATH" --key-id "$APPLE_API_KEY_ID" --issuer "$APPLE_API_ISSUER_ID")
    local result status id
    result="$(xcrun notarytool submit "$submission" "${key[@]}" --wait --timeout 1h --output-format json)" || true
    echo "$result"
    status="$(printf '%s' "$result" | "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin).get("status", ""))' 2>/dev/null || true)"
    id="$(printf '%s' "$result" | "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin).get("id", ""))' 2>/dev/null || true)"
    if [ "$status" != "Accepted" ]; then
        if [ -n "$id" ]; then xcrun notarytool log "$id" "${key[@]}" || true; fi
        fail "notarization of $(basename "$target") ended '$status'"
    fi
    [ "$submission" != "$target" ] && rm -f "$submission"
    xcrun stapler staple "$target"
    xcrun stapler validate "$target"
}

notarize_app() {
    if ! can_sign || ! can_notarize; then
        warn "no signing identity or notary API key: the .app is not notarized"
        return 0
    fi
    step "Notarize the .app and staple its ticket"
    notarize "$APP"
}

notarize_dmg() {
    if ! can_sign || ! can_notarize; then
        warn "no signing identity or notary API key: the dmg is not notarized"
        return 0
    fi
    step "Notarize the dmg and staple its ticket"
    notarize "$(dmg_path)"
}

# --------------------------------------------------------------------------------------- dmg

dmg() {
    local dmg staging="$ROOT/build/dmg"
    dmg="$(dmg_path)"
    [ -d "$APP" ] || fail "no $APP: run '$0 freeze' first"

    step "Stage the .app beside a link to /Applications (drag to install)"
    rm -rf "$staging" && mkdir -p "$staging"
    ditto "$APP" "$staging/$APP_NAME.app"  # ditto keeps the signature, symlinks and modes
    ln -s /Applications "$staging/Applications"

    step "Create $(basename "$dmg")"
    rm -f "$dmg"
    hdiutil create -volname "$APP_NAME" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
    rm -rf "$staging"

    if can_sign; then
        step "Sign the dmg"
        local args=(--force --timestamp --sign "$MACOS_SIGNING_IDENTITY")
        [ -n "${MACOS_KEYCHAIN:-}" ] && args+=(--keychain "$MACOS_KEYCHAIN")
        codesign "${args[@]}" "$dmg"
    else
        warn "the dmg is not signed"
    fi
    echo "Built $dmg"
}

# ------------------------------------------------------------------------------------ verify

verify() {
    local dmg
    dmg="$(dmg_path)"
    if ! can_sign; then
        warn "unsigned build: nothing to verify"
        return 0
    fi
    step "Verify the .app and the dmg as Gatekeeper will"
    codesign --verify --deep --strict --verbose=2 "$APP"
    codesign --verify --verbose=2 "$dmg"
    if can_notarize; then
        spctl --assess --type execute --verbose=4 "$APP"
        spctl --assess --type open --context context:primary-signature --verbose=4 "$dmg"
    fi
}

case "${1:-all}" in
    freeze) freeze ;;
    sign) sign ;;
    notarize-app) notarize_app ;;
    dmg) dmg ;;
    notarize-dmg) notarize_dmg ;;
    verify) verify ;;
    all) freeze; sign; notarize_app; dmg; notarize_dmg; verify ;;
    *) fail "unknown step '$1' (freeze, sign, notarize-app, dmg, notarize-dmg, verify, all)" ;;
esac
