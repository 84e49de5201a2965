#!/usr/bin/env bash
# Copies the shared libraries that BINARY... need into STAGING, for the
# container image's final stage:
#
#   deploy/collect-libs.sh STAGING BINARY...
#
# The list comes from `ldd`, so it is exactly what the dynamic loader
# resolves for these binaries on this (build) machine, transitive
# dependencies included. Each library is copied (links followed) under the
# name the loader looks for, into STAGING/usr/lib/<multiarch>/, the directory
# it came from with /lib folded into /usr/lib: that directory is on the
# loader's default search path in any Debian 12 based image, so the binaries
# need no LD_LIBRARY_PATH or RPATH.
#
# Not copied: the C and C++ runtime, which the final image's base
# (gcr.io/distroless/cc-debian12, or debian:12-slim) already has from the same
# Debian release, and which must match that image's dynamic loader: glibc's
# libraries and the loader itself, libstdc++ and libgcc_s. Everything else
# (gRPC, Protobuf, Abseil, OpenSSL, RE2, c-ares, zlib, ...) is copied.
#
# Fails if a library is not found, so an image never ships a binary that
# cannot start. Prints one line per library copied.
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 STAGING BINARY..." >&2
  exit 2
fi
staging=$1
shift

# The runtime the base image provides (matched against the file name).
runtime_provided='^(ld-linux.*|libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil|libanl|libnss_[a-z]+|libBrokenLocale|libthread_db|libstdc\+\+|libgcc_s)\.so(\..*)?$'

declare -A copied=()
for binary in "$@"; do
  if [[ ! -x $binary ]]; then
    echo "collect-libs: $binary: not an executable file" >&2
    exit 1
  fi
  if ! listing=$(ldd "$binary" 2>&1); then
    echo "collect-libs: ldd $binary failed: $listing" >&2
    exit 1
  fi
  while read -r line; do
    # "libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)",
    # "/lib64/ld-linux-x86-64.so.2 (0x...)", "linux-vdso.so.1 (0x...)"
    # or "libfoo.so.1 => not found".
    [[ -z $line ]] && continue
    if [[ $line == *"=> not found"* ]]; then
      echo "collect-libs: $binary: ${line%% *} not found" >&2
      exit 1
    fi
    [[ $line == *" => "* ]] || continue  # the vDSO, or the loader by path
    name=${line%% =>*}
    path=${line#*=> }
    path=${path%% (*}
    [[ $path == /* ]] || continue  # the vDSO, on some ldd versions
    if [[ $name =~ $runtime_provided ]]; then
      continue
    fi
    [[ -n ${copied[$name]:-} ]] && continue
    dir=$(dirname "$path")
    case $dir in
      /lib/*) dir=/usr$dir ;;
      /lib64) dir=/usr/lib64 ;;
    esac
    mkdir -p "$staging$dir"
    cp -L "$path" "$staging$dir/$name"
    chmod 0644 "$staging$dir/$name"
    copied[$name]=$path
    echo "$dir/$name"
  done <<<"$listing"
done

if ((${#copied[@]} == 0)); then
  echo "collect-libs: no libraries found for $*: is ldd working?" >&2
  exit 1
fi
