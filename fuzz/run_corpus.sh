#!/bin/sh
# Runs a fuzz target over its seed corpus: run_corpus.sh BINARY CORPUS_DIR
# (the binary walks the folder; it fails if the folder holds nothing).
set -eu
exec "$1" "$2"
