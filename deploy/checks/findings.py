"""Findings, and the registry of the rules that make them.

Every finding carries the id of the rule that made it, so that the
self-test can tell a broken copy was caught by the rule it breaks rather
than by whichever rule happened to trip over it.
"""

import collections

Finding = collections.namedtuple("Finding", "rule where message")

# Rule id -> function(tree, report), in registration order.
RULES = {}


class Report:
    """What one rule found: each finding is tagged with the rule's id."""

    def __init__(self, rule_id):
        self.rule_id = rule_id
        self.findings = []

    def add(self, where, message):
        self.findings.append(Finding(self.rule_id, where, message))

    def check(self, condition, where, message):
        """Adds `message` unless `condition`; returns whether it held, so a
        rule can skip what depends on it."""
        if not condition:
            self.add(where, message)
        return bool(condition)


def rule(rule_id):
    """Registers function(tree, report) as the rule `rule_id`."""

    def register(function):
        if rule_id in RULES:
            raise ValueError(f"two rules named {rule_id}")
        RULES[rule_id] = function
        return function

    return register


def run_rules(tree):
    """Every registered rule's findings on `tree`."""
    findings = []
    for rule_id, function in RULES.items():
        report = Report(rule_id)
        function(tree, report)
        findings.extend(report.findings)
    return findings
