/** A duration as written in config and commands: 90m, 24h, 7d, 48bh, 2bd (meanings in duration.ts). Its own
 *  module so that reading durations does not load the config schema (zod). */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(m|h|d|bh|bd)$/;
