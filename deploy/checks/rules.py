"""Every rule, registered by importing the modules that define them; the
order here is the order findings are reported in."""

# pylint: disable=unused-import
from checks import file_rules, pod_rules, container_rules, config_rules  # noqa: F401
from checks import traffic_rules, envoy_rules  # noqa: F401
from checks.findings import RULES, run_rules  # noqa: F401
