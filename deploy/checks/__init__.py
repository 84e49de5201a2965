"""The rules for captoken's deployment files (docs/deploy.md), in modules
that deploy/check_manifests.py and deploy/manifest_self_test.py share."""
