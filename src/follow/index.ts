/**
 * Follow mode (`scan --follow`): the public pieces, for the CLI and for hosts that embed it.
 */

export { AlertThrottle, DEFAULT_THROTTLE_MS, followAlertId, type GroupState, groupKey } from "./alert-throttle.js";
export { type FollowOptions, type FollowOutcome, followSummary, runFollow } from "./follow.js";
export { type FileState, type FollowState, loadState, saveState } from "./state-file.js";
