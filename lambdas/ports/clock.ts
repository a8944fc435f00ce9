/** Time is a port: the core never calls Date.now(), and the local stack can move its clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
