"""Builders for TaskRouter capability token requests.

Each helper returns a generated ``captoken.v1`` message, so anything they do
not cover can be built by hand and passed in unchanged.
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import Iterable, Mapping, Optional, Sequence, Tuple, Union

from captoken._scopes import (Profile, Ttl, _duration, _flag, _profile,
                              _timestamp)
from captoken.v1 import taskrouter_pb2

__all__ = [
    "Filters",
    "TaskRouterPolicySet",
    "build_taskrouter_request",
    "taskrouter_policy",
]

#: Parameter constraints of a policy, in order: ``(name, constraint)`` pairs
#: or a mapping, where the constraint is a ``bool`` (``{"required": b}``) or
#: a JSON object as text, written into the token verbatim.
Filters = Union[Sequence[Tuple[str, Union[bool, str]]], Mapping[str, Union[bool, str]]]


class TaskRouterPolicySet(enum.IntEnum):
    """A standard list of policies (``captoken.v1.TaskRouterPolicySet``)."""

    UNSPECIFIED = taskrouter_pb2.TASK_ROUTER_POLICY_SET_UNSPECIFIED
    #: GET and POST on the channel's event bridge (node's defaults).
    EVENT_BRIDGE = taskrouter_pb2.TASK_ROUTER_POLICY_SET_EVENT_BRIDGE
    #: node ``util.defaultWorkerPolicies``; worker channels only.
    NODE_WORKER_DEFAULTS = taskrouter_pb2.TASK_ROUTER_POLICY_SET_NODE_WORKER_DEFAULTS
    #: What twilio-python adds on its own for the channel's kind.
    PYTHON_DEFAULTS = taskrouter_pb2.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS
    #: python ``allow_update_activities``; worker channels only.
    UPDATE_ACTIVITIES = taskrouter_pb2.TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES
    #: python ``allow_update_reservations``; worker channels only.
    UPDATE_RESERVATIONS = taskrouter_pb2.TASK_ROUTER_POLICY_SET_UPDATE_RESERVATIONS
    FETCH_SUBRESOURCES = taskrouter_pb2.TASK_ROUTER_POLICY_SET_FETCH_SUBRESOURCES
    UPDATE_SUBRESOURCES = taskrouter_pb2.TASK_ROUTER_POLICY_SET_UPDATE_SUBRESOURCES
    DELETE_SUBRESOURCES = taskrouter_pb2.TASK_ROUTER_POLICY_SET_DELETE_SUBRESOURCES
    UPDATE_SELF = taskrouter_pb2.TASK_ROUTER_POLICY_SET_UPDATE_SELF
    DELETE_SELF = taskrouter_pb2.TASK_ROUTER_POLICY_SET_DELETE_SELF


def _policy_set(value: Union[TaskRouterPolicySet, int, str]) -> int:
    if isinstance(value, bool):
        raise TypeError("policy_sets entries must be captoken.TaskRouterPolicySet")
    if isinstance(value, str):
        name = value.upper().replace("-", "_")
        if not name.startswith("TASK_ROUTER_POLICY_SET_"):
            name = "TASK_ROUTER_POLICY_SET_" + name
        try:
            return taskrouter_pb2.TaskRouterPolicySet.Value(name)
        except ValueError:
            raise ValueError(f"unknown TaskRouter policy set {value!r}") from None
    if isinstance(value, int):
        return int(TaskRouterPolicySet(value))
    raise TypeError("policy_sets entries must be captoken.TaskRouterPolicySet, "
                    f"not {type(value).__name__}")


def _filters(filters: Optional[Filters], what: str) -> list:
    if filters is None:
        return []
    if isinstance(filters, (str, bytes)):
        raise TypeError(f"{what} must be a list of (name, constraint) pairs or "
                        f"a mapping, not {type(filters).__name__}")
    items: Iterable = filters.items() if isinstance(filters, Mapping) else filters
    out = []
    for item in items:
        if isinstance(item, taskrouter_pb2.TaskRouterFilter):
            out.append(item)
            continue
        try:
            name, constraint = item
        except (TypeError, ValueError):
            raise TypeError(f"{what}: each entry must be a (name, constraint) "
                            f"pair, got {item!r}") from None
        if not isinstance(name, str):
            raise TypeError(f"{what}: names must be str, got {type(name).__name__}")
        if isinstance(constraint, bool):
            out.append(taskrouter_pb2.TaskRouterFilter(name=name, required=constraint))
        elif isinstance(constraint, str):
            out.append(taskrouter_pb2.TaskRouterFilter(name=name,
                                                       constraint_json=constraint))
        else:
            raise TypeError(f"{what}: a constraint is a bool (required) or a JSON "
                            f"object as str, got {type(constraint).__name__}")
    return out


def taskrouter_policy(
    url: str,
    method: Optional[str] = None,
    *,
    query_filter: Optional[Filters] = None,
    post_filter: Optional[Filters] = None,
    deny: bool = False,
) -> taskrouter_pb2.TaskRouterPolicy:
    """One TaskRouter policy: allow (or, with ``deny=True``, deny) a request.

    Args:
      url: an https URL; a trailing ``**`` matches any sub-path.
      method: ``"GET"``, ``"POST"`` or ``"DELETE"`` (default: the server's,
        GET).
      query_filter, post_filter: parameter constraints in order, e.g.
        ``[("ActivitySid", True)]`` (``{"required": true}``) or
        ``[("To", '{"required":false}')]`` (a JSON object, verbatim).
      deny: a deny policy (the twilio-python profiles only; the node profile
        refuses it).
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be str, not {type(url).__name__}")
    policy = taskrouter_pb2.TaskRouterPolicy(
        url=url,
        query_filter=_filters(query_filter, "query_filter"),
        post_filter=_filters(post_filter, "post_filter"),
        deny=bool(deny),
    )
    if method is not None:
        policy.method = method
    return policy


def build_taskrouter_request(
    account_sid: str,
    workspace_sid: str,
    channel_id: str,
    *,
    policy_sets: Iterable[Union[TaskRouterPolicySet, int, str]] = (),
    policies: Iterable[taskrouter_pb2.TaskRouterPolicy] = (),
    friendly_name: Optional[str] = None,
    version: Optional[str] = None,
    ttl: Optional[Ttl] = None,
    expire_time: Optional[_dt.datetime] = None,
    profile: Union[Profile, int, str, None] = None,
    omit_not_before: bool = False,
) -> taskrouter_pb2.TaskRouterRequest:
    """Builds the ``captoken.v1.TaskRouterRequest`` that
    :meth:`TokenClient.mint_taskrouter_token` sends for the same arguments.

    Args:
      account_sid: "AC" and 32 hex digits.
      workspace_sid: "WS" and 32 hex digits.
      channel_id: whose channel: a worker ("WK…"), a task queue ("WQ…") or
        the workspace ("WS…").
      policy_sets: standard policy lists the server adds first, in order,
        e.g. ``[TaskRouterPolicySet.PYTHON_DEFAULTS]`` for what twilio-python
        adds by itself (none by default, as twilio-node).
      policies: further policies, in order (:func:`taskrouter_policy`).
      friendly_name: optional; the python profiles write the channel id
        when it is not given.
      version: the API version claim ("v1" when not given).
      ttl, expire_time, profile, omit_not_before: as for
        :func:`build_capability_request`.

    Raises:
      TypeError, ValueError: an argument of the wrong type.
    """
    for name, value in (("account_sid", account_sid),
                        ("workspace_sid", workspace_sid),
                        ("channel_id", channel_id)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if isinstance(policies, (str, bytes, taskrouter_pb2.TaskRouterPolicy)):
        raise TypeError("policies must be a list of TaskRouterPolicy, e.g. "
                        "[captoken.taskrouter_policy(url)]")
    policy_list = list(policies)
    for i, policy in enumerate(policy_list):
        if not isinstance(policy, taskrouter_pb2.TaskRouterPolicy):
            raise TypeError(f"policies[{i}] must be a TaskRouterPolicy (use "
                            "captoken.taskrouter_policy), not "
                            f"{type(policy).__name__}")
    if isinstance(policy_sets, (str, bytes)):
        raise TypeError("policy_sets must be a list of TaskRouterPolicySet")
    request = taskrouter_pb2.TaskRouterRequest(
        account_sid=account_sid,
        workspace_sid=workspace_sid,
        channel_id=channel_id,
        policy_sets=[_policy_set(s) for s in policy_sets],
        policies=policy_list,
    )
    if friendly_name is not None:
        request.friendly_name = friendly_name
    if version is not None:
        request.version = version
    if ttl is not None:
        request.ttl.CopyFrom(_duration(ttl))
    if expire_time is not None:
        request.expire_time.CopyFrom(_timestamp(expire_time))
    if profile is not None:
        request.profile = _profile(profile)
    if _flag(omit_not_before, "omit_not_before"):
        request.omit_not_before = True
    return request
