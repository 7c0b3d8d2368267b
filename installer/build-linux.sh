#!/usr/bin/env bash
# Builds the Linux bundle from nothing: a clean venv holding only the app's runtime pins and
# the build tools, the one-folder PyInstaller bundle, a tarball of it, and a .deb that installs
# it in /opt/clozapine-desk with `clozapine-desk` on the PATH and a menu entry.
#
#   installer/build-linux.sh            -> dist/clozapine-desk/ (the bundle),
#                                          dist/clozapine-desk-VERSION-linux-ARCH.tar.gz,
#                                          dist/clozapine-desk_VERSION_DEBARCH.deb
#
# A bundle runs on the glibc it was built on and newer: build on the oldest system you target.
# We build on Debian 12 (glibc 2.36), which covers Debian 12+, Ubuntu 22.10+ and RHEL 10.
# The frozen app includes the embedded training registry (the demo) on SQLite; the registry
# on PostgreSQL is a server's job: `pip install 'clozapine-desk[postgres]'` there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf 'build-linux: %s\n' "$*" >&2; }

python="${PYTHON:-python3}"
version="$("$python" -c 'import sys; sys.path.insert(0, "."); from app.version import VERSION; print(VERSION)')"
arch="$(uname -m)"
venv="build/freeze-venv"

step_tools() {  # what building needs beyond Python: objdump (PyInstaller, the pruning), dpkg-deb
  local missing=()
  command -v objdump >/dev/null || missing+=(binutils)
  command -v dpkg-deb >/dev/null || missing+=(dpkg)
  "$python" -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing: ${missing[*]} (Debian: sudo apt-get install -y ${missing[*]})"
    exit 1
  fi
}

step_venv() {
  say "a clean build venv in $venv (runtime pins and build tools only)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check \
    -r requirements/registry.txt -r requirements/build.txt 2> >(grep -v "is ignored: it is neither" >&2)
  # Not editable: PyInstaller collects the app from site-packages, as a user would get it.
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps . \
    2> >(grep -v "is ignored: it is neither" >&2)
}

step_freeze() {
  say "freezing (PyInstaller, one folder)"
  rm -rf dist/clozapine-desk build/pyinstaller
  # From another folder, so the bundle takes the installed app, not this source tree.
  (cd build && "../$venv/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath ../dist --workpath pyinstaller ../installer/clozapine-desk.spec)
  # One program on Linux (a windowed and a console build are the same file here).
  ln -s clozapine-desk dist/clozapine-desk/clozapine-desk-cli
  say "bundle is $(du -sm --apparent-size dist/clozapine-desk | cut -f1) MB"
}

step_tarball() {
  local tarball="dist/clozapine-desk-${version}-linux-${arch}.tar.gz"
  say "tarball $tarball"
  tar -C dist --owner=0 --group=0 -czf "$tarball" clozapine-desk
}

step_deb() {
  local debarch
  debarch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
  local stage="build/deb" deb="dist/clozapine-desk_${version}_${debarch}.deb"
  say "Debian package $deb"
  rm -rf "$stage"
  mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/doc/clozapine-desk"
  cp -a dist/clozapine-desk "$stage/opt/clozapine-desk"
  ln -s /opt/clozapine-desk/clozapine-desk-cli "$stage/usr/bin/clozapine-desk"
  cp installer/linux/clozapine-desk.desktop "$stage/usr/share/applications/"
  cp ui/icons/clozapine-desk.png "$stage/usr/share/icons/hicolor/256x256/apps/"
  cp LICENSE "$stage/usr/share/doc/clozapine-desk/copyright"
  local size
  size="$(du -sk "$stage" | cut -f1)"
  sed -e "s/@VERSION@/${version}/" -e "s/@ARCH@/${debarch}/" -e "s/@SIZE@/${size}/" \
    installer/linux/control > "$stage/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
}

steps=("$@")
[[ ${#steps[@]} -eq 0 ]] && steps=(tools venv freeze tarball deb)
for step in "${steps[@]}"; do "step_$step"; done
say "done: $(ls dist | tr '\n' ' ')"
