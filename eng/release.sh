#!/usr/bin/env bash
# Release: pack every package, validate what is in each, push them to a folder feed (docs/versioning.md, "Releasing").
#
#   eng/release.sh --feed <folder> [--version X.Y.Z[-pre]] [--baseline X.Y.Z] [--rehearsal]
#
#   --feed       the folder feed to push to (created if missing); a package already there is not replaced
#   --version    the version to pack (default: <Version> of Directory.Build.props)
#   --baseline   the last shipped version: package validation checks API compatibility against it (it must be in
#                the feed or the NuGet cache)
#   --rehearsal  allow a clone without a hosted remote (the packages then carry the commit but no repository URL);
#                the packaging test and local rehearsals use it, a real release does not
#
# Exit codes: 0 released; 1 a package failed to pack or validate (nothing was pushed); 2 usage.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="" version="" baseline="" rehearsal=false
usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --feed) feed="${2:-}"; shift 2 || usage ;;
    --version) version="${2:-}"; shift 2 || usage ;;
    --baseline) baseline="${2:-}"; shift 2 || usage ;;
    --rehearsal) rehearsal=true; shift ;;
    -h|--help) usage ;;
    *) echo "release: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$feed" ] || { echo "release: give --feed <folder>" >&2; usage; }

# The packages, in dependency order. The analyzers ship inside Ledger.Kernel.
packages=(Ledger.Kernel Ledger.Signing Ledger.Migration Ledger.Erasure Ledger.Erasure.Sqlite Ledger.Testing Ledger.Sync Ledger.Tool)

commit="$(git -C "$root" rev-parse HEAD)"
url="$(git -C "$root" remote get-url origin 2>/dev/null || true)"
# Source link knows hosted repositories; a clone of a folder (CI's, a scratch copy) has no URL to publish.
case "$url" in https://*|ssh://*|git@*) ;; *) url="" ;; esac
if [ -z "$url" ] && [ "$rehearsal" != true ]; then
  echo "release: this clone's git remote 'origin' is not a hosted repository URL; the packages would carry none (use --rehearsal to try anyway)" >&2
  exit 1
fi
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ] && [ "$rehearsal" != true ]; then
  echo "release: the work tree has uncommitted changes; a release is built from a commit" >&2
  exit 1
fi

props=(-c Release -p:LedgerSourceLink=true -p:ContinuousIntegrationBuild=true)
[ -n "$version" ] && props+=("-p:Version=$version")
[ -n "$baseline" ] && props+=("-p:PackageValidationBaselineVersion=$baseline")
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT

# One build of every package (eng/packages.slnf: the src projects, not the tests).
echo "release: packing ${packages[*]}" >&2
dotnet pack "$root/eng/packages.slnf" "${props[@]}" -o "$staging" -nologo -v:q >&2 || { echo "release: packing failed" >&2; exit 1; }

# A package is a zip: its file list and one file's text (python3, on every machine this project builds on).
zip_list() { python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
zip_text() { python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' "$1" "$2"; }

# Validate every package before pushing any: README, license, repository commit (and URL), symbols, XML docs.
fail=0
for p in "${packages[@]}"; do
  nupkg="$(ls "$staging"/"$p".[0-9]*.nupkg 2>/dev/null | head -1)"
  [ -n "$nupkg" ] || { echo "release: no package for $p" >&2; fail=1; continue; }
  files="$(zip_list "$nupkg")"
  nuspec="$(zip_text "$nupkg" "$p.nuspec")"
  problem() { echo "release: $(basename "$nupkg"): $1" >&2; fail=1; }
  grep -qx 'README.md' <<<"$files" || problem "no README.md"
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || problem "the nuspec does not name its readme"
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || problem "no license expression"
  grep -q "commit=\"$commit\"" <<<"$nuspec" || problem "no repository commit $commit"
  if [ -n "$url" ]; then grep -q "<repository type=\"git\" url=\"" <<<"$nuspec" || problem "no repository URL"; fi
  [ -f "${nupkg%.nupkg}.snupkg" ] || problem "no symbol package (.snupkg)"
  if [ "$p" = Ledger.Tool ]; then
    grep -q '^tools/net10.0/any/Ledger.Tool.dll$' <<<"$files" || problem "no tool"
    if grep -E '^tools/.*/runtimes/(android|ios|tvos|maccatalyst|browser|linux-mips|linux-armel|linux-riscv|linux-s390x|linux-ppc64le|linux-musl-s390x|linux-musl-riscv|linux-x86|win-arm/)' <<<"$files" >/dev/null; then
      problem "native libraries for a platform the tool cannot run on"
    fi
  else
    grep -q "^lib/net10.0/$p.dll$" <<<"$files" || problem "no lib/net10.0/$p.dll"
    grep -q "^lib/net10.0/$p.xml$" <<<"$files" || problem "no XML documentation"
  fi
  if [ "$p" = Ledger.Kernel ]; then
    grep -q '^analyzers/dotnet/cs/Ledger.Analyzers.dll$' <<<"$files" || problem "the determinism analyzer is not packed"
  fi
done
[ "$fail" = 0 ] || { echo "release: validation failed; nothing pushed" >&2; exit 1; }

mkdir -p "$feed"
for nupkg in "$staging"/*.nupkg; do
  name="$(basename "$nupkg" .nupkg)"
  id="${name%%.[0-9]*}"
  ver="${name#"$id".}"
  if [ -e "$feed/${id,,}/${ver,,}" ] || [ -e "$feed/$name.nupkg" ] || [ -e "$feed/${name,,}.nupkg" ]; then
    echo "release: $id $ver is already in $feed; a released version is never replaced" >&2
    exit 1
  fi
done
for nupkg in "$staging"/*.nupkg; do
  dotnet nuget push "$nupkg" --source "$feed" >&2
  cp "${nupkg%.nupkg}.snupkg" "$feed"/
done
echo "release: pushed ${#packages[@]} packages (commit $commit) to $feed"
