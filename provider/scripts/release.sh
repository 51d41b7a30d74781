#!/usr/bin/env bash
# Builds the registry release of terraform-provider-kkpvsphere into dist/ with Go alone (the same artifacts as
# .goreleaser.yml): terraform-provider-kkpvsphere_<version>_<os>_<arch>.zip (the binary
# terraform-provider-kkpvsphere_v<version> inside), terraform-provider-kkpvsphere_<version>_manifest.json,
# terraform-provider-kkpvsphere_<version>_SHA256SUMS, and with GPG_FINGERPRINT set (the CI secret key imported into
# the keyring) its detached signature SHA256SUMS.sig. It publishes nothing.
#
#   scripts/release.sh 0.1.0                  # all platforms
#   PLATFORMS=linux_amd64 scripts/release.sh 0.1.0
#   MIRROR=/path/to/mirror scripts/release.sh 0.1.0   # also lays the zips out as a packed filesystem mirror
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: scripts/release.sh <version, e.g. 0.1.0>}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "release: $version is not a semantic version" >&2; exit 1; }
name=terraform-provider-kkpvsphere
platforms=${PLATFORMS:-"linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 windows_arm64 freebsd_amd64 freebsd_arm64"}
command -v zip >/dev/null 2>&1 || { echo "release: zip is missing (Debian package zip)" >&2; exit 1; }

rm -rf dist && mkdir -p dist/build
go mod verify >/dev/null
for p in $platforms; do
  os=${p%_*} arch=${p#*_}
  exe=${name}_v${version}
  [ "$os" = windows ] && exe="$exe.exe"
  mkdir -p "dist/build/$p"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "-s -w -X main.version=$version" -o "dist/build/$p/$exe" .
  # Fixed timestamps: the same source gives the same zip.
  touch -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}" "dist/build/$p/$exe"
  (cd "dist/build/$p" && zip -q -X "../../${name}_${version}_${p}.zip" "$exe")
done
cp terraform-registry-manifest.json "dist/${name}_${version}_manifest.json"
(cd dist && sha256sum ./*.zip ./*_manifest.json | sed 's#  \./#  #' | sort -k2 > "${name}_${version}_SHA256SUMS")
if [ -n "${GPG_FINGERPRINT:-}" ]; then
  gpg --batch --local-user "$GPG_FINGERPRINT" --detach-sign --output "dist/${name}_${version}_SHA256SUMS.sig" "dist/${name}_${version}_SHA256SUMS"
else
  echo "release: GPG_FINGERPRINT is not set: SHA256SUMS left unsigned (the registry needs the .sig)" >&2
fi
rm -rf dist/build
if [ -n "${MIRROR:-}" ]; then
  dest="$MIRROR/registry.terraform.io/cdktf-kkp-vsphere/kkpvsphere"
  mkdir -p "$dest"
  cp dist/*.zip "$dest/"
  echo "release: packed filesystem mirror at $MIRROR"
fi
ls -l dist
