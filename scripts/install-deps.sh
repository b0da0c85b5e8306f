#!/usr/bin/env bash
# Installs what building and testing Centrix needs, from Debian's packages,
# only when something is missing. Safe to run again.
set -euo pipefail

packages=(g++ cmake make libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev libeigen3-dev libhwy-dev python3-venv python3-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
