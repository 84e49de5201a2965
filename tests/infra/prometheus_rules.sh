#!/usr/bin/env bash
# The alerting rules in deploy/prometheus/: valid for Debian's Prometheus
# (`promtool check rules`), and each alert fires on the series it is for and
# stays silent on its look-alikes (`promtool test rules`).
#
#   tests/infra/prometheus_rules.sh      (needs Debian's prometheus package)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/prometheus"

command -v promtool >/dev/null || {
  echo "promtool not found: install Debian's prometheus (bazel/setup.sh test)" >&2
  exit 1
}
promtool check rules captoken-alerts.yml
promtool test rules captoken-alerts_test.yml
