#!/usr/bin/env bash
# Makes sure the real tools the test suite runs are here; `npm test` runs it first (pretest), so the README's test
# command works on a fresh machine. It installs what it can (Debian packages as root, the Go modules of test/go.mod
# through the Go module proxy) and fails with a message naming what is missing otherwise: a missing tool is never a
# skipped test.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "test tools: $*" >&2; exit 1; }

# Debian packages: qemu-utils has qemu-img and qemu-io, which make and check real disk images.
debs=(qemu-utils)
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    fail "the Debian packages ${missing[*]} are missing and this user cannot install them: run 'apt-get install ${missing[*]}' as root."
  fi
  echo "test tools: installing Debian packages ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go builds the vCenter simulator, the gcfg reader and the OVF checker from the module in test/ (go.mod needs 1.25).
command -v go >/dev/null 2>&1 || fail "Go is not on PATH: install Go 1.25 or later (the simulator and other test programs are Go)."
goversion=$(go env GOVERSION)
case "$goversion" in
  go1.2[5-9]*|go1.[3-9]*|go[2-9]*) ;;
  *) fail "Go $goversion is too old for test/go.mod: install Go 1.25 or later." ;;
esac
(cd test && go mod download) || fail "downloading the Go modules of test/go.mod failed (they come from the Go module proxy)."
(cd provider && go mod download) || fail "downloading the Go modules of provider/go.mod (the kkpvsphere Terraform provider) failed (they come from the Go module proxy)."

# terraform applies the synthesized configurations in the tests (found on PATH, as cdktf finds it).
command -v terraform >/dev/null 2>&1 || fail "terraform is not on PATH: install Terraform 1.11 (cdktf and the tests run it)."

# The real Terraform providers (vmware/vsphere 2.15.0, hashicorp/kubernetes 2.38.0): the mirror named by
# KKP_VSPHERE_PROVIDER_MIRROR, else ../shared/terraform-providers beside the checkout, else the Terraform registry;
# scripts/real-binaries.js is the one resolution, the tests use it too. No mirror and no registry: one message, both fixes.
node scripts/real-binaries.js check || exit 1

# A real Kubernetes API (kube-apiserver v1.34.4 and etcd 3.6.17): unpacked from KKP_VSPHERE_KUBE_BINARIES, else from
# ../shared/kubernetes-test-binaries beside the checkout, else built from test/kube/ through the Go module proxy (minutes,
# once), into node_modules/.cache; scripts/real-binaries.js is the one resolution. Unpacking needs xz, certificates openssl.
kube_tools=()
command -v xz >/dev/null 2>&1 || kube_tools+=(xz-utils)
command -v openssl >/dev/null 2>&1 || kube_tools+=(openssl)
if [ "${#kube_tools[@]}" -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || fail "the Debian packages ${kube_tools[*]} are missing: run 'apt-get install ${kube_tools[*]}' as root."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${kube_tools[@]}" >/dev/null
fi
kube=$(node scripts/real-binaries.js kube-binaries) || exit 1
echo "test tools: kube-apiserver and etcd $(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.from === "build" ? "built from test/kube (Go module proxy)" : `from ${r.source}`)' "$kube")"

printf 'test tools: %s, %s, %s\n' "$goversion" "$(qemu-img --version | head -n 1)" "$(TF_CLI_CONFIG_FILE=/dev/null terraform version | head -n 1)"
