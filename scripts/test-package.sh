#!/usr/bin/env bash
# Installs the package built by scripts/package.sh and checks it as installed, then purges it:
#   bash scripts/test-package.sh dist/healthrun_<version>_<arch>.deb
# Needs root (apt-get). Installs lintian, systemd (for systemd-analyze; no running systemd is
# needed) and man-db when missing.
set -euo pipefail
deb=$(readlink -f "$1")
export DEBIAN_FRONTEND=noninteractive
tools=()
command -v lintian >/dev/null || tools+=(lintian)
command -v systemd-analyze >/dev/null || tools+=(systemd)
command -v man >/dev/null || tools+=(man-db)
if ((${#tools[@]})); then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${tools[@]}" >/dev/null
fi
fail() { echo "package test: $*" >&2; exit 1; }

echo "package test: lintian"
# Errors fail; warnings and info are printed and explained in the README (Install).
lintian --tag-display-limit 0 "$deb" | tee /tmp/healthrun-lintian.txt || true
! grep -q '^E:' /tmp/healthrun-lintian.txt || fail "lintian reported errors"

start=$EPOCHREALTIME
apt-get install -y -qq "$deb" >/dev/null
echo "package test: installed in $(awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME - $start}") s"
mapfile -t owned < <(dpkg -L healthrun | while read -r path; do [[ -f "$path" ]] && echo "$path"; done)

version=$(dpkg-query -W -f '${Version}' healthrun)
[[ "$(/usr/bin/healthrun --version)" == "$version" ]] || fail "healthrun --version is not the package's $version"
cd "$(mktemp -d)"
cp /usr/share/healthrun/checks.d.example/.env.example .env
healthrun validate -d /usr/share/healthrun/checks.d.example --env-file .env
healthrun demo >/dev/null
[[ "$(healthrun demo -q --report json:- 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["tool"]["version"])')" == "$version" ]] \
    || fail "the JSON report's tool.version is not $version"
man -w healthrun >/dev/null || fail "man -w healthrun finds no page"
man -w healthrun-serve >/dev/null || fail "man -w healthrun-serve finds no page"
bash -c 'source /usr/share/bash-completion/completions/healthrun' || fail "the bash completion does not load"
systemd-analyze verify /lib/systemd/system/healthrun-serve.service || fail "systemd-analyze verify"
[[ -f /etc/healthrun/checks.d/README ]] || fail "no /etc/healthrun/checks.d/README"
# Only libc, libm, libsqlite3 and libz; no C++ runtime, and not libpq: it is opened when a
# postgres check needs it (the validate above parsed the example's DSN with it), so the package
# depends on it by name.
ldd /usr/bin/healthrun
! ldd /usr/bin/healthrun | grep -Eq 'libstdc\+\+|libgcc_s' || fail "the binary links libstdc++ or libgcc_s"
! ldd /usr/bin/healthrun | grep -q 'libpq' || fail "the binary links libpq (it should open it on first use)"
dpkg-query -W -f '${Depends}' healthrun | grep -q 'libpq5' || fail "the package does not depend on libpq5"
# The dynamic symbol table holds what the binary imports, not its own 42,000 symbols
# (release-build.sh links with --no-export-dynamic; each start scanned them).
symbols=$(readelf --dyn-syms -W /usr/bin/healthrun | wc -l)
(( symbols < 3000 )) || fail "the binary exports $symbols dynamic symbols (release-build.sh's --no-export-dynamic is lost)"

# The admin's own files stay on purge; everything the package put elsewhere goes.
echo "checks: []" > /etc/healthrun/checks.d/mine.yaml
apt-get purge -y -qq healthrun >/dev/null
for path in "${owned[@]}"; do
    [[ ! -e "$path" ]] || fail "$path is left after purge"
done
[[ -f /etc/healthrun/checks.d/mine.yaml ]] || fail "purge removed the admin's own file"
rm -rf /etc/healthrun
echo "package test: ok (${#owned[@]} files installed and removed)"
