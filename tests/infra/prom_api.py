"""Asks a running Prometheus's HTTP API one question, for the shell tests.

  prom_api.py URL value QUERY     the single sample's value, or "none"
  prom_api.py URL firing          the names of the alerts firing, one a line
  prom_api.py URL unhealthy       "group/rule: error" for each rule whose
                                  last evaluation failed
  prom_api.py URL names           every metric name Prometheus holds

Debian's /usr/bin/python3, standard library only. Exits 1 if Prometheus
answers with an error: a question that cannot be asked is a failure.
"""

import json
import sys
import urllib.parse
import urllib.request


def get(url, path, **params):
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}{path}?{query}", timeout=5) as reply:
        body = json.load(reply)
    if body.get("status") != "success":
        sys.exit(f"prometheus: {body.get('error', body)}")
    return body["data"]


def main(url, question, *args):
    if question == "value":
        result = get(url, "/api/v1/query", query=args[0])["result"]
        if len(result) > 1:
            sys.exit(f"{args[0]}: {len(result)} series, expected one")
        # Prometheus prints sample values as Go formats floats: "3", "0.5".
        print(result[0]["value"][1] if result else "none")
    elif question == "firing":
        for alert in get(url, "/api/v1/alerts")["alerts"]:
            if alert["state"] == "firing":
                print(alert["labels"]["alertname"])
    elif question == "unhealthy":
        for group in get(url, "/api/v1/rules")["groups"]:
            for rule in group["rules"]:
                if rule.get("health") != "ok":
                    print(f"{group['name']}/{rule['name']}: "
                          f"{rule.get('health')} {rule.get('lastError', '')}")
    elif question == "names":
        print("\n".join(get(url, "/api/v1/label/__name__/values")))
    else:
        sys.exit(f"unknown question {question}")


if __name__ == "__main__":
    main(*sys.argv[1:])
