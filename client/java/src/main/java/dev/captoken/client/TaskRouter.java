package dev.captoken.client;

import dev.captoken.v1.TaskRouterFilter;
import dev.captoken.v1.TaskRouterPolicy;
import dev.captoken.v1.TaskRouterPolicySet;
import dev.captoken.v1.TaskRouterRequest;
import java.util.Objects;

/**
 * Shortcuts for building {@link TaskRouterRequest}s (TaskRouter capability tokens for a worker,
 * task queue or workspace channel) and their policies.
 *
 * <pre>{@code
 * TaskRouterRequest request = TaskRouter.request(accountSid, workspaceSid, workerSid)
 *     .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS)
 *     .addPolicySets(TaskRouterPolicySet.TASK_ROUTER_POLICY_SET_UPDATE_ACTIVITIES)
 *     .addPolicies(TaskRouter.policy(workspaceUrl + "/Tasks/**", "POST")
 *         .addPostFilter(TaskRouter.required("Priority", false))
 *         .build())
 *     .setTtl(Capabilities.durationOf(Duration.ofHours(8)))
 *     .build();
 * }</pre>
 *
 * <p>Nothing is validated here: the server checks every field and answers {@code
 * INVALID_ARGUMENT} naming the field.
 */
public final class TaskRouter {
  private TaskRouter() {}

  /**
   * A request builder for the channel {@code channelId} ("WK…" a worker, "WQ…" a task queue or
   * "WS…" the workspace) of the workspace {@code workspaceSid}, in the account {@code accountSid}.
   * It has no policy sets (twilio-node attaches none by itself); add {@link
   * TaskRouterPolicySet#TASK_ROUTER_POLICY_SET_PYTHON_DEFAULTS} for what twilio-python attaches.
   */
  public static TaskRouterRequest.Builder request(
      String accountSid, String workspaceSid, String channelId) {
    return TaskRouterRequest.newBuilder()
        .setAccountSid(Objects.requireNonNull(accountSid, "accountSid"))
        .setWorkspaceSid(Objects.requireNonNull(workspaceSid, "workspaceSid"))
        .setChannelId(Objects.requireNonNull(channelId, "channelId"));
  }

  /**
   * A builder for a policy that allows {@code method} ({@code "GET"}, {@code "POST"} or {@code
   * "DELETE"}) on {@code url} (https; a trailing {@code **} matches any sub-path). Add filters
   * with {@link #required} and {@link #constraint}; {@code setDeny(true)} makes a deny policy
   * (python profile only).
   */
  public static TaskRouterPolicy.Builder policy(String url, String method) {
    return TaskRouterPolicy.newBuilder()
        .setUrl(Objects.requireNonNull(url, "url"))
        .setMethod(Objects.requireNonNull(method, "method"));
  }

  /** A filter: the parameter {@code name} is required (or, with false, optional). */
  public static TaskRouterFilter required(String name, boolean required) {
    return TaskRouterFilter.newBuilder()
        .setName(Objects.requireNonNull(name, "name"))
        .setRequired(required)
        .build();
  }

  /** A filter with any JSON object as the constraint, written into the token verbatim. */
  public static TaskRouterFilter constraint(String name, String constraintJson) {
    return TaskRouterFilter.newBuilder()
        .setName(Objects.requireNonNull(name, "name"))
        .setConstraintJson(Objects.requireNonNull(constraintJson, "constraintJson"))
        .build();
  }
}
